import { AppError } from '../errors.js';
import type { ItemDraft } from './items.js';
import type { ReviewerRef, ReviewerRule, ReviewerRules, ReviewSubject } from './types.js';

/** The namespace annotation naming who reviews access there: `user:alice, group:payments-leads`. */
export const ownersAnnotation = 'gatehouse.dev/owners';

/** `user:NAME` / `group:NAME`; a bare name is a user. */
export function parseReviewer(text: string): ReviewerRef {
  const trimmed = text.trim();
  const match = /^(user|group):(.+)$/i.exec(trimmed);
  const kind = match ? (match[1]!.toLowerCase() as 'user' | 'group') : 'user';
  const name = (match ? match[2]! : trimmed).trim();
  if (!name || name.length > 253 || /[\s,]/.test(name))
    throw new AppError('input.invalid', `"${text}" is not a reviewer`, {
      fix: 'Name a reviewer as user:NAME or group:NAME (no spaces or commas)',
    });
  return `${kind}:${name}`;
}

/** The owners an annotation names; unreadable entries are skipped, never guessed. */
export function parseOwners(annotation: string | undefined): ReviewerRef[] {
  if (!annotation) return [];
  return annotation.split(',').flatMap((part) => {
    try {
      return part.trim() ? [parseReviewer(part)] : [];
    } catch {
      return []; // A typo in one owner must not hide the others; the fallback still catches the item.
    }
  });
}

/** Whether the reviewer would be certifying their own access. */
export function isOwnAccess(subject: ReviewSubject, reviewer: ReviewerRef, username?: string): boolean {
  const [kind, ...rest] = reviewer.split(':');
  const name = rest.join(':');
  if (kind === 'user') return (subject.kind === 'User' && subject.name === name) || username === name;
  return subject.kind === 'Group' && subject.name === name;
}

/** Whether a person (name and groups) is, or is among, the reviewer. */
export function isReviewer(
  reviewer: ReviewerRef,
  person: { subject: string; groups: readonly string[] },
): boolean {
  const [kind, ...rest] = reviewer.split(':');
  const name = rest.join(':');
  return kind === 'user' ? person.subject === name : person.groups.includes(name);
}

/** The IAM user name an aws-auth item maps to, so a reviewer who is that user is caught too. */
function mappedUsername(item: ItemDraft): string | undefined {
  return item.grant.type === 'aws-auth' ? item.grant.username : undefined;
}

/**
 * Who reviews an item, by rule: the namespace's owners, else the named reviewer, else the fallback.
 * Nobody reviews their own access: such an item goes to the fallback (rule `self`).
 */
export function assignReviewer(
  item: ItemDraft,
  rules: ReviewerRules,
  owners: ReadonlyMap<string, readonly ReviewerRef[]>,
): { reviewer: ReviewerRef; rule: ReviewerRule } {
  const owned =
    rules.namespaceOwners && item.namespace && !item.namespace.includes(',')
      ? (owners.get(item.namespace) ?? [])
      : [];
  const [chosen, rule]: [readonly ReviewerRef[], ReviewerRule] =
    owned.length > 0 ? [owned, 'owners'] : rules.reviewer ? [[rules.reviewer], 'named'] : [[], 'fallback'];
  if (chosen.length === 0) return { reviewer: rules.fallback, rule: 'fallback' };
  const username = mappedUsername(item);
  const fair = chosen.find((reviewer) => !isOwnAccess(item.subject, reviewer, username));
  return fair ? { reviewer: fair, rule } : { reviewer: rules.fallback, rule: 'self' };
}
