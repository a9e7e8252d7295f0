import { isNode, isSeq, LineCounter, parseDocument } from 'yaml';

/** One `mapRoles` entry of kube-system/aws-auth. */
export interface RoleMapping {
  readonly rolearn: string;
  readonly username: string;
  readonly groups: readonly string[];
}

/** One `mapUsers` entry of kube-system/aws-auth. */
export interface UserMapping {
  readonly userarn: string;
  readonly username: string;
  readonly groups: readonly string[];
}

/** A part of aws-auth that could not be used, and where it is. */
export interface AwsAuthProblem {
  /** `mapRoles`, `mapUsers` or `mapAccounts`. */
  readonly key: string;
  /** 1-based line within that key's YAML text, when known. */
  readonly line?: number;
  /** Index of the entry within the list, when the problem is one entry. */
  readonly entry?: number;
  readonly message: string;
}

export interface AwsAuth {
  readonly mapRoles: readonly RoleMapping[];
  readonly mapUsers: readonly UserMapping[];
  readonly mapAccounts: readonly string[];
  readonly problems: readonly AwsAuthProblem[];
}

/**
 * Parses the data of kube-system/aws-auth. Each key is YAML text; a key that does not parse is
 * reported with its line and the other keys are still used; within a list, a malformed entry is
 * reported and skipped, the rest kept.
 *
 * @example
 * const auth = parseAwsAuth(configMap.data ?? {});
 * auth.problems; // [{ key: 'mapRoles', line: 3, message: '…' }]
 */
export function parseAwsAuth(data: Readonly<Record<string, string>>): AwsAuth {
  const problems: AwsAuthProblem[] = [];
  const mapRoles = entries(data, 'mapRoles', problems).flatMap(({ value, index, line }) => {
    const mapping = toMapping(value, 'rolearn', index, line, problems);
    if (mapping && /:role\/.+\//.test(mapping.arn)) {
      // EKS compares against the path-less ARN that STS reports, so this entry never matches.
      problems.push({
        key: 'mapRoles',
        entry: index,
        ...(line ? { line } : {}),
        message: `mapRoles entry ${index} (${mapping.arn}) includes a role path: EKS never matches it; remove the path`,
      });
    }
    return mapping ? [{ rolearn: mapping.arn, username: mapping.username, groups: mapping.groups }] : [];
  });
  const mapUsers = entries(data, 'mapUsers', problems).flatMap(({ value, index, line }) => {
    const mapping = toMapping(value, 'userarn', index, line, problems);
    return mapping ? [{ userarn: mapping.arn, username: mapping.username, groups: mapping.groups }] : [];
  });
  const mapAccounts = entries(data, 'mapAccounts', problems).flatMap(({ value, index, line }) => {
    const account = typeof value === 'number' ? String(value) : value;
    if (typeof account === 'string' && /^\d{12}$/.test(account)) return [account];
    problems.push({
      key: 'mapAccounts',
      entry: index,
      ...(line ? { line } : {}),
      message: `entry ${index} is not a 12-digit account ID`,
    });
    return [];
  });
  return { mapRoles, mapUsers, mapAccounts, problems };
}

interface Entry {
  readonly value: unknown;
  readonly index: number;
  readonly line: number | undefined;
}

function entries(data: Readonly<Record<string, string>>, key: string, problems: AwsAuthProblem[]): Entry[] {
  const text = data[key];
  if (text === undefined || text.trim() === '') return [];
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    const error = document.errors[0]!;
    const line = error.linePos?.[0]?.line;
    problems.push({
      key,
      ...(line ? { line } : {}),
      message: `${key} is not valid YAML: ${error.message.split('\n')[0]}`,
    });
    return [];
  }
  if (!isSeq(document.contents)) {
    problems.push({ key, line: 1, message: `${key} must be a YAML list` });
    return [];
  }
  return document.contents.items.map((item, index) => {
    const offset = isNode(item) ? item.range?.[0] : undefined;
    const line = offset === undefined ? undefined : lineCounter.linePos(offset).line;
    return { value: isNode(item) ? item.toJSON() : item, index, line };
  });
}

function toMapping(
  value: unknown,
  arnKey: 'rolearn' | 'userarn',
  index: number,
  line: number | undefined,
  problems: AwsAuthProblem[],
): { arn: string; username: string; groups: string[] } | undefined {
  const key = arnKey === 'rolearn' ? 'mapRoles' : 'mapUsers';
  const at = { key, entry: index, ...(line ? { line } : {}) };
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ ...at, message: `${key} entry ${index} is not a mapping` });
    return undefined;
  }
  const record = value as Record<string, unknown>;
  const arn = record[arnKey];
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) {
    problems.push({ ...at, message: `${key} entry ${index} has no valid ${arnKey}` });
    return undefined;
  }
  const groups = record.groups ?? [];
  if (!Array.isArray(groups) || groups.some((group) => typeof group !== 'string')) {
    problems.push({ ...at, message: `${key} entry ${index} (${arn}): groups must be a list of strings` });
    return undefined;
  }
  const username = record.username;
  if (typeof username !== 'string' || username === '') {
    problems.push({
      ...at,
      message: `${key} entry ${index} (${arn}) has no username: EKS cannot authenticate it`,
    });
    return undefined;
  }
  return { arn, username, groups: groups as string[] };
}
