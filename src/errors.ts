/**
 * The one error vocabulary of Gatehouse. Capabilities throw `AppError`s whose message says what
 * went wrong and whose `fix` says what the user should do; only the CLI and server edges turn
 * them into exit codes and HTTP statuses.
 */

export type ErrorCode =
  | 'input.invalid'
  | 'config.invalid'
  | 'kubeconfig.missing'
  | 'kubeconfig.malformed'
  | 'context.unknown'
  | 'cluster.unreachable'
  | 'cluster.tls'
  | 'cluster.timeout'
  | 'auth.unauthorized'
  | 'auth.forbidden'
  /** The OpenID Provider could not be reached or answered with an error. */
  | 'idp.unavailable'
  | 'not-found'
  | 'conflict'
  | 'store.failed'
  | 'internal';

export interface AppErrorOptions {
  /** What the user should do about it, in one sentence. */
  readonly fix?: string;
  readonly cause?: unknown;
  /** Structured facts for JSON output and tests (verb, resource, context...). */
  readonly details?: Readonly<Record<string, string>>;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly fix: string | undefined;
  readonly details: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.fix = options.fix;
    this.details = options.details ?? {};
  }

  /** The one line a user sees: cause, then fix. */
  describe(): string {
    return this.fix ? `${this.message}. ${this.fix}` : this.message;
  }

  toJSON(): { error: { code: ErrorCode; message: string; fix?: string; details: Record<string, string> } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.fix ? { fix: this.fix } : {}),
        details: { ...this.details },
      },
    };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/**
 * Adds what was being done to an error, keeping its code and fix, so a message reads
 * `listing RoleBindings in cluster "prod": ...`.
 */
export function withContext(error: unknown, doing: string): AppError {
  if (isAppError(error)) {
    return new AppError(error.code, `${doing}: ${error.message}`, {
      ...(error.fix ? { fix: error.fix } : {}),
      cause: error,
      details: error.details,
    });
  }
  return new AppError('internal', `${doing}: ${messageOf(error)}`, { cause: error });
}

/** Any failure as the one line a user sees: an AppError's cause and fix, else its message. */
export function describeError(error: unknown): string {
  return isAppError(error) ? error.describe() : messageOf(error);
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Exit codes scripts can rely on; 1 is reserved for "no" answers such as `can-i`. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'input.invalid':
    case 'config.invalid':
    case 'kubeconfig.missing':
    case 'kubeconfig.malformed':
    case 'context.unknown':
      return 2;
    case 'cluster.unreachable':
    case 'cluster.tls':
    case 'cluster.timeout':
    case 'idp.unavailable':
      return 3;
    case 'auth.unauthorized':
    case 'auth.forbidden':
      return 4;
    case 'not-found':
    case 'conflict':
      return 5;
    case 'store.failed':
    case 'internal':
      return 10;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}
