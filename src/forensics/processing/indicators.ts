import { type Account, parsePasswd } from './accounts.js';
import { type CollectedFile, collectedFiles, type TextDocument, textDocuments } from './documents.js';
import type { BodyfileEntry, Connection, ProcessInfo } from './parse.js';
import type { NamedPattern } from './patterns.js';
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

export interface IndicatorOptions {
  readonly facts?: Facts;
  /** The rule table (default: the built-in one). */
  readonly rules?: readonly Rule[];
  /**
   * Time the text rules may spend on one document. Matching is linear in the input, but a
   * container can still send megabytes built to be slow: past the budget the rest of that
   * document is reported as not scanned instead of stalling triage.
   */
  readonly documentBudgetMs?: number;
}

/** Time spent per document by the text rules, and where each stopped when out of budget. */
class Budget {
  readonly #spent = new Map<TextDocument, number>();
  readonly stopped = new Map<TextDocument, { line: number; ms: number }>();
  constructor(readonly limitMs: number) {}

  exhausted(document: TextDocument): boolean {
    return this.stopped.has(document);
  }

  /** Runs `work` and charges its time to the document (`line` says where it stopped). */
  measure<T>(document: TextDocument, line: number, work: () => T): T {
    const start = performance.now();
    const result = work();
    const spent = (this.#spent.get(document) ?? 0) + performance.now() - start;
    this.#spent.set(document, spent);
    if (spent > this.limitMs && !this.stopped.has(document))
      this.stopped.set(document, { line, ms: Math.round(spent) });
    return result;
  }
}

/** Everything the rules read, parsed once. */
interface Evidence {
  readonly facts: Facts;
  readonly documents: readonly TextDocument[];
  readonly files: readonly CollectedFile[];
  readonly accounts: readonly Account[];
  readonly listing: (output: string) => string[];
  readonly budget: Budget;
}

type Hit = Pick<Indicator, 'reason' | 'where'>;

/**
 * Indicators of compromise with the evidence that triggered each: every rule of the table run
 * over the package.
 *
 * @example
 * findIndicators(openPackage(root)).filter((indicator) => indicator.severity === 'critical')
 */
export function findIndicators(pkg: OpenPackage, options: IndicatorOptions = {}): Indicator[] {
  const facts = options.facts ?? factsOf(pkg);
  const files = collectedFiles(pkg);
  const evidence: Evidence = {
    budget: new Budget(options.documentBudgetMs ?? 2000),
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
  for (const rule of options.rules ?? indicatorRules) {
    const matchers: readonly Matcher[] = Array.isArray(rule.match) ? rule.match : [rule.match as Matcher];
    for (const matcher of matchers)
      for (const hit of hits(matcher, evidence)) {
        const indicator = { id: rule.id, severity: rule.severity, title: rule.title, why: rule.why, ...hit };
        // One finding per rule and place: a SUID file seen in the listing and in find's output is one.
        const key = `${rule.id}\u0000${hit.where}`;
        if (!found.has(key)) found.set(key, indicator);
      }
  }
  return sortIndicators([...found.values(), ...incomplete(evidence.budget)]);
}

function incomplete(budget: Budget): Indicator[] {
  return [...budget.stopped].map(([document, { line, ms }]) => ({
    id: 'triage-incomplete',
    severity: 'medium',
    title: 'text not fully scanned: time budget spent',
    why: 'Content built to make pattern matching slow is itself suspicious; the text rules skipped the rest of it.',
    reason: `stopped after ${ms} ms at line ${line} of ${document.text.length} characters`,
    where: quote(document.where),
  }));
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
        .flatMap((document) => lineHits(matcher, document, evidence.budget));
    case 'document':
      return evidence.documents
        .filter((document) => matcher.documents.includes(document.kind))
        .flatMap((document) => documentHit(matcher.all, document, evidence.budget));
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
        (account) => `/etc/passwd:${account.lineNumber}`,
      );
    case 'connection':
      return each(
        evidence.facts.connections,
        matcher.test,
        (connection: Connection) =>
          `live.net ${connection.protocol} ${connection.localAddress}:${connection.localPort} ${connection.remoteAddress}:${connection.remotePort}`,
      );
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

/** Long lines are matched in overlapping windows, so the time budget is checked between them. */
const window = 4096;
const overlap = 512;

function firstMatch(
  patterns: readonly NamedPattern[],
  line: string,
  start: number,
): { name: string; index: number } | undefined {
  const text = start === 0 && line.length <= window ? line : line.slice(start, start + window);
  for (const { name, pattern } of patterns) {
    const matched = pattern.exec(text);
    if (matched) return { name, index: start + matched.index };
  }
  return undefined;
}

function matchLine(
  patterns: readonly NamedPattern[],
  line: string,
  measure: (
    work: () => { name: string; index: number } | undefined,
  ) => { name: string; index: number } | undefined,
): { name: string; index: number } | undefined {
  for (let start = 0; start === 0 || start + overlap < line.length; start += window - overlap) {
    const match = measure(() => firstMatch(patterns, line, start));
    if (match) return match;
  }
  return undefined;
}

const linesOf = new WeakMap<TextDocument, string[]>();

function lineHits(
  matcher: Extract<Matcher, { kind: 'line' }>,
  document: TextDocument,
  budget: Budget,
): Hit[] {
  const found: Hit[] = [];
  let skipped = 0;
  const lines = linesOf.get(document) ?? document.text.split('\n');
  linesOf.set(document, lines);
  for (const [index, line] of lines.entries()) {
    if (matcher.ignoreComments && line.trimStart().startsWith('#')) continue;
    const match = matchLine(matcher.patterns, line, (work) =>
      budget.exhausted(document) ? undefined : budget.measure(document, index + 1, work),
    );
    if (budget.exhausted(document)) break;
    if (!match) continue;
    if (found.length >= maxLinesPerDocument) skipped++;
    else
      found.push({
        reason: `${match.name}: ${quote(line, { around: match })}`,
        where: document.kind === 'command-line' ? document.where : `${quote(document.where)}:${index + 1}`,
      });
  }
  if (skipped > 0)
    found.push({ reason: `${skipped} more matching lines not listed`, where: `${quote(document.where)}:…` });
  return found;
}

/** Every pattern must match in the document; each is quoted from the line it matched on. */
function documentHit(patterns: readonly RegExp[], document: TextDocument, budget: Budget): Hit[] {
  const quotes: string[] = [];
  for (const pattern of patterns) {
    if (budget.exhausted(document)) return [];
    const match = budget.measure(document, 0, () => pattern.exec(document.text));
    if (!match) return [];
    const start = document.text.lastIndexOf('\n', match.index) + 1;
    const end = document.text.indexOf('\n', match.index);
    const line = document.text.slice(start, end === -1 ? undefined : end);
    quotes.push(quote(line, { max: 160, around: { index: match.index - start } }));
  }
  return [{ reason: quotes.join(' … '), where: quote(document.where) }];
}
