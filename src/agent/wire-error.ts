import { AppError, type ErrorCode, isAppError, messageOf } from '../errors.js';
import type { WireError } from './protocol.js';

const codes: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'input.invalid',
  'config.invalid',
  'kubeconfig.missing',
  'kubeconfig.malformed',
  'context.unknown',
  'cluster.unreachable',
  'cluster.tls',
  'cluster.timeout',
  'auth.unauthorized',
  'auth.forbidden',
  'idp.unavailable',
  'not-found',
  'conflict',
  'store.failed',
  'internal',
]);

/** An error as it crosses the tunnel: code, message, fix and string details, nothing else. */
export function toWire(error: unknown): WireError & { readonly details?: Record<string, string> } {
  if (!isAppError(error)) return { code: 'internal', message: messageOf(error).slice(0, 4000) };
  return {
    code: error.code,
    message: error.message,
    ...(error.fix ? { fix: error.fix } : {}),
    details: { ...error.details },
  };
}

/** The peer's error in the vocabulary; an unknown code (a newer or hostile peer) becomes `internal`. */
export function fromWire(error: WireError & { readonly details?: unknown }, through: string): AppError {
  const code = codes.has(error.code as ErrorCode) ? (error.code as ErrorCode) : 'internal';
  const details =
    typeof error.details === 'object' && error.details !== null
      ? Object.fromEntries(
          Object.entries(error.details).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string',
          ),
        )
      : {};
  return new AppError(code, error.message, {
    ...(error.fix ? { fix: error.fix } : {}),
    details: { ...details, through },
  });
}
