import { type Account, parsePasswd } from './accounts.js';
import { type CollectedFile, collectedFiles, type TextDocument, textDocuments } from './documents.js';
import type { BodyfileEntry, Connection, ProcessInfo } from './parse.js';
import { quote } from './quote.js';
import type { IndicatorSeverity, Matcher, Rule } from './rule-types.js';
import { systemRules } from './rules-system.js';
import { textRules } from './rules-text.js';
import { type Facts, factsOf, type OpenPackage } from './triage.js';

export type { IndicatorSeverity, Rule } from './rule-types.js';

export interface Indicator {
  readonly id: string;
  readonly severity: IndicatorSeverity;
  readonly title: string;
  /** Why it fired: the evidence, quoted (escaped and bounded: it is container data). */
  readonly reason: string;
  /** Where in the package: a source path (with `:line`), or `process <pid>`. */
  readonly where: string;
  /** Why it matters: the technique behind the rule. */
  readonly why: string;
}

/** The built-in rule table, in report order within a severity. */
export const indicatorRules: readonly Rule[] = [...systemRules, ...textRules];

/** Lines reported per rule and document; the rest is counted, never dropped silently. */
const maxLinesPerDocument = 25;

/** Everything the rules read, parsed once. */
interface Evidence {
  readonly facts: Facts;
  readonly documents: readonly TextDocument[];
  readonly files: readonly CollectedFile[];
  readonly accounts: readonly Account[];
  readonly listing: (output: string) => string[];
}

type Hit = Pick<Indicator, 'reason' | 'where'>;

/**
 * Indicators of compromise with the evidence that triggered each: every rule of `rules` (the
 * built-in table by default) run over the package.
 */
export function findIndicators(
  pkg: OpenPackage,
  facts: Facts = factsOf(pkg),
  rules: readonly Rule[] = indicatorRules,
): Indicator[] {
  const files = collectedFiles(pkg);
  const evidence: Evidence = {
    facts,
    files,
    documents: textDocuments(files, facts.processes),
    accounts: parsePasswd(files.find((file) => file.source === '/etc/passwd')?.text ?? ''),
    listing: (output) =>
      pkg
        .text(output)
        .split('\n')
        .filter(Boolean)
        .map((line) => (line.startsWith('./') ? line.slice(1) : line)),
  };
  const found = new Map<string, Indicator>();
  for (const rule of rules) {
    const matchers: readonly Matcher[] = Array.isArray(rule.match) ? rule.match : [rule.match as Matcher];
    for (const matcher of matchers)
      for (const hit of hits(matcher, evidence)) {
        const indicator = { id: rule.id, severity: rule.severity, title: rule.title, why: rule.why, ...hit };
        found.set(`${rule.id}\u0000${hit.where}\u0000${hit.reason}`, indicator);
      }
  }
  return sortIndicators([...found.values()]);
}

const order: readonly IndicatorSeverity[] = ['critical', 'high', 'medium', 'low'];

export function sortIndicators(indicators: readonly Indicator[]): Indicator[] {
  return [...indicators].sort(
    (a, b) => order.indexOf(a.severity) - order.indexOf(b.severity) || a.id.localeCompare(b.id),
  );
}

function hits(matcher: Matcher, evidence: Evidence): Hit[] {
  switch (matcher.kind) {
    case 'line':
      return evidence.documents
        .filter((document) => matcher.documents.includes(document.kind))
        .flatMap((document) => lineHits(matcher, document));
    case 'document':
      return evidence.documents
        .filter((document) => matcher.documents.includes(document.kind))
        .flatMap((document) => documentHit(matcher.all, document));
    case 'process':
      return each(evidence.facts.processes, matcher.test, (process: ProcessInfo) => `process ${process.pid}`);
    case 'file':
      return each(evidence.facts.files, matcher.test, (entry: BodyfileEntry) => entry.name);
    case 'content':
      return each(evidence.files, matcher.test, (file: CollectedFile) => file.source);
    case 'account':
      return each(
        evidence.accounts,
        (account) => matcher.test(account, evidence.accounts),
        () => '/etc/passwd',
      );
    case 'connection':
      return each(evidence.facts.connections, matcher.test, (_: Connection) => 'live.net');
    case 'listing':
      return each(evidence.listing(matcher.output), matcher.test, (path: string) => path);
    default: {
      const unreachable: never = matcher;
      throw new Error(`unknown matcher ${JSON.stringify(unreachable)}`);
    }
  }
}

function each<T>(
  subjects: readonly T[],
  test: (subject: T) => string | undefined,
  where: (subject: T) => string,
): Hit[] {
  const found: Hit[] = [];
  for (const subject of subjects) {
    const evidence = test(subject);
    if (evidence !== undefined) found.push({ reason: quote(evidence), where: quote(where(subject)) });
  }
  return found;
}

function lineHits(matcher: Extract<Matcher, { kind: 'line' }>, document: TextDocument): Hit[] {
  const found: Hit[] = [];
  let skipped = 0;
  const lines = document.text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (matcher.ignoreComments && line.trimStart().startsWith('#')) continue;
    for (const { name, pattern } of matcher.patterns) {
      const match = pattern.exec(line);
      if (!match) continue;
      if (found.length >= maxLinesPerDocument) skipped++;
      else
        found.push({
          reason: `${name}: ${quote(line, { around: match })}`,
          where: document.kind === 'command-line' ? document.where : `${quote(document.where)}:${index + 1}`,
        });
      break;
    }
  }
  if (skipped > 0)
    found.push({ reason: `${skipped} more matching lines not listed`, where: `${quote(document.where)}:…` });
  return found;
}

/** Every pattern must match in the document; each is quoted from the line it matched on. */
function documentHit(patterns: readonly RegExp[], document: TextDocument): Hit[] {
  const quotes: string[] = [];
  for (const pattern of patterns) {
    const match = pattern.exec(document.text);
    if (!match) return [];
    const start = document.text.lastIndexOf('\n', match.index) + 1;
    const end = document.text.indexOf('\n', match.index);
    const line = document.text.slice(start, end === -1 ? undefined : end);
    quotes.push(quote(line, { max: 160, around: { index: match.index - start } }));
  }
  return [{ reason: quotes.join(' … '), where: quote(document.where) }];
}
