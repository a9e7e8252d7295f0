import type { ErrorCode } from '../errors.js';

/** The HTTP status for each error code: the server's counterpart of the CLI's exit codes. */
export function httpStatusFor(code: ErrorCode): 400 | 401 | 403 | 404 | 409 | 500 | 502 | 503 | 504 {
  switch (code) {
    case 'input.invalid':
    case 'config.invalid':
    case 'kubeconfig.missing':
    case 'kubeconfig.malformed':
    case 'context.unknown':
      return 400;
    case 'auth.unauthorized':
      return 401;
    case 'auth.forbidden':
      return 403;
    case 'not-found':
      return 404;
    case 'conflict':
      return 409;
    case 'cluster.unreachable':
    case 'cluster.tls':
    case 'idp.unavailable':
      return 502;
    case 'cluster.timeout':
      return 504;
    case 'store.failed':
      return 503;
    case 'internal':
      return 500;
    default: {
      const unknown: never = code;
      return unknown;
    }
  }
}
