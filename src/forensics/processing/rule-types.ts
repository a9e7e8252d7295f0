import type { Account } from './accounts.js';
import type { CollectedFile, DocumentKind } from './documents.js';
import type { BodyfileEntry, Connection, ProcessInfo } from './parse.js';
import type { NamedPattern } from './patterns.js';

export type IndicatorSeverity = 'critical' | 'high' | 'medium' | 'low';

/**
 * What a rule looks at. Predicates return the evidence to quote (raw: the engine escapes and
 * bounds it), or undefined when the rule does not apply.
 * - `line`: a line of a text document of the given kinds matches one of the patterns.
 * - `document`: every pattern matches somewhere in one document (steps lines apart).
 * - `process`, `file` (the filesystem listing), `content` (a collected file),
 *   `account` (/etc/passwd), `connection` (/proc/net), `listing` (a `list` artifact's paths).
 */
export type Matcher =
  | {
      readonly kind: 'line';
      readonly documents: readonly DocumentKind[];
      readonly patterns: readonly NamedPattern[];
      /** Skip `#` lines: comments in scripts, timestamps in bash histories. */
      readonly ignoreComments?: boolean;
    }
  | {
      readonly kind: 'document';
      readonly documents: readonly DocumentKind[];
      readonly all: readonly RegExp[];
    }
  | { readonly kind: 'process'; readonly test: (process: ProcessInfo) => string | undefined }
  | { readonly kind: 'file'; readonly test: (entry: BodyfileEntry) => string | undefined }
  | { readonly kind: 'content'; readonly test: (file: CollectedFile) => string | undefined }
  | {
      readonly kind: 'account';
      readonly test: (account: Account, all: readonly Account[]) => string | undefined;
    }
  | { readonly kind: 'connection'; readonly test: (connection: Connection) => string | undefined }
  | {
      readonly kind: 'listing';
      readonly output: string;
      readonly test: (path: string) => string | undefined;
    };

/** One indicator, as data: what it matches and why that matters. */
export interface Rule {
  readonly id: string;
  readonly severity: IndicatorSeverity;
  readonly title: string;
  /** Why an analyst should care: the technique and what it is used for. */
  readonly why: string;
  readonly match: Matcher | readonly Matcher[];
}

/** A single pattern rule: `line(['history'], /x/, 'name')`. */
export const pattern = (name: string, regex: RegExp): NamedPattern => ({ name, pattern: regex });
