import * as z from 'zod';
import { AppError, type ErrorCode } from '../../errors.js';
import { named } from './route.js';

/** Every error code, for telling the server's codes from anything else a proxy might send. */
const knownCodes: Readonly<Record<ErrorCode, true>> = {
  'input.invalid': true,
  'config.invalid': true,
  'kubeconfig.missing': true,
  'kubeconfig.malformed': true,
  'context.unknown': true,
  'cluster.unreachable': true,
  'cluster.tls': true,
  'cluster.timeout': true,
  'auth.unauthorized': true,
  'auth.forbidden': true,
  'not-found': true,
  conflict: true,
  'store.failed': true,
  'idp.unavailable': true,
  internal: true,
};

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(knownCodes, value);
}

/** Every error the API answers: what went wrong and what to do about it. */
export const errorSchema = named(
  'Error',
  z
    .object({
      error: z.object({
        code: z.string().describe('A Gatehouse error code, e.g. input.invalid, auth.forbidden, not-found'),
        message: z.string(),
        fix: z.string().nullable().describe('What to do about it, when there is something to do'),
      }),
    })
    .describe('Error: code, what went wrong, and the fix'),
);

export type ErrorBody = z.output<typeof errorSchema>;

/** Where a value came from, for the message: `field reason`, `query parameter state`. */
export type InputPart = 'path' | 'query' | 'body';

function what(part: InputPart, path: readonly PropertyKey[]): string {
  const name = path.map(String).join('.');
  switch (part) {
    case 'path':
      return `path parameter ${name}`;
    case 'query':
      return `query parameter ${name}`;
    case 'body':
      return name ? `field ${name}` : 'the request body';
    default: {
      const unknown: never = part;
      return unknown;
    }
  }
}

/** One problem in words, and what to send instead. */
function explain(issue: z.core.$ZodIssue): { readonly problem: string; readonly fix: string | undefined } {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return { problem: 'is required', fix: undefined };
      if (issue.expected === 'int') return { problem: 'must be a whole number', fix: undefined };
      return { problem: `must be a ${issue.expected}`, fix: undefined };
    case 'too_big':
      return issue.origin === 'string'
        ? {
            problem: `is longer than ${issue.maximum} characters`,
            fix: `at most ${issue.maximum} characters`,
          }
        : { problem: `is larger than ${issue.maximum}`, fix: `at most ${issue.maximum}` };
    case 'too_small':
      return issue.origin === 'string'
        ? { problem: 'must not be empty', fix: undefined }
        : { problem: `is smaller than ${issue.minimum}`, fix: `at least ${issue.minimum}` };
    case 'invalid_value':
      return {
        problem: 'is not one of the allowed values',
        fix: `one of ${issue.values.map(String).join(', ')}`,
      };
    default:
      return { problem: `is invalid (${issue.message})`, fix: undefined };
  }
}

/**
 * The one `input.invalid` error (parse with `reportInput: true`, so a missing value reads "is required") for values a schema refused: the first problem in the message
 * (naming where it is and what was wrong), every problem in `details` keyed by its field path.
 */
export function inputError(part: InputPart, issues: readonly z.core.$ZodIssue[]): AppError {
  const [first, ...rest] = issues;
  if (!first) return new AppError('input.invalid', `the request ${part} is invalid`);
  const { problem, fix } = explain(first);
  const field = what(part, first.path);
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  const details = Object.fromEntries(
    issues.map((issue) => [issue.path.map(String).join('.') || part, explain(issue).problem]),
  );
  return new AppError('input.invalid', `${field} ${problem}${more}`, {
    fix: fix ? `Send ${field} as ${fix}` : `Set ${field} (see /openapi.json)`,
    details,
  });
}
