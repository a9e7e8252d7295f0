import { AppError, messageOf } from '../errors.js';

/** What we know about the request that failed, for messages that name the cluster. */
export interface RequestSubject {
  readonly context: string;
  readonly server: string;
  readonly method: string;
  readonly path: string;
}

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'EADDRNOTAVAIL',
]);

const tlsCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** Turns a socket-level failure into the error vocabulary. */
export function networkError(error: unknown, subject: RequestSubject): AppError {
  const code = (error as { code?: unknown }).code;
  const reason = typeof code === 'string' ? code : messageOf(error);
  if (typeof code === 'string' && tlsCodes.has(code)) {
    return new AppError('cluster.tls', `TLS verification of ${subject.server} failed (${reason})`, {
      fix: `Check that certificate-authority-data of context "${subject.context}" is the cluster's CA and that the server name matches the certificate`,
      cause: error,
      details: { context: subject.context, server: subject.server, reason },
    });
  }
  if (typeof code === 'string' && unreachableCodes.has(code)) {
    return new AppError(
      'cluster.unreachable',
      `cannot reach ${subject.server} of context "${subject.context}" (${reason})`,
      {
        fix: 'Check that the cluster is running and the address is right; a private endpoint needs a network route (VPN, bastion) or an in-cluster connector',
        cause: error,
        details: { context: subject.context, server: subject.server, reason },
      },
    );
  }
  return new AppError(
    'cluster.unreachable',
    `request to ${subject.server} of context "${subject.context}" failed: ${reason}`,
    {
      fix: 'Check the server address and the network; rerun with --debug for details',
      cause: error,
      details: { context: subject.context, server: subject.server, reason },
    },
  );
}

export function timeoutError(subject: RequestSubject, timeoutMs: number): AppError {
  return new AppError(
    'cluster.timeout',
    `no answer from ${subject.server} of context "${subject.context}" within ${formatSeconds(timeoutMs)}`,
    {
      fix: 'Check that the API server is reachable from here (private endpoints need a route); for `clusters list`, raise probeTimeoutMs in the config file if the server is slow',
      details: { context: subject.context, server: subject.server },
    },
  );
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

interface StatusBody {
  readonly message?: string;
  readonly reason?: string;
}

/** A refused request as the apiserver describes it, parsed for the fix. */
export interface ForbiddenFacts {
  readonly user: string;
  readonly verb: string;
  readonly resource: string;
  readonly apiGroup: string;
  readonly namespace: string | undefined;
}

const forbiddenPattern =
  /User "([^"]*)" cannot (\S+) resource "([^"]*)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]*)")?/;

export function parseForbidden(message: string): ForbiddenFacts | undefined {
  const match = forbiddenPattern.exec(message);
  if (!match) return undefined;
  return {
    user: match[1] ?? '',
    verb: match[2] ?? '',
    resource: match[3] ?? '',
    apiGroup: match[4] ?? '',
    namespace: match[5],
  };
}

/** Turns an HTTP error answer of the apiserver into the error vocabulary. */
export function statusError(status: number, bodyText: string, subject: RequestSubject): AppError {
  const body = parseStatusBody(bodyText);
  const serverMessage = body.message ?? (bodyText.trim().slice(0, 300) || `HTTP ${status}`);
  const details = { context: subject.context, server: subject.server, status: String(status) };
  if (status === 401) {
    return new AppError(
      'auth.unauthorized',
      `the API server of context "${subject.context}" rejected the credentials (expired or invalid)`,
      {
        fix: 'Refresh the credentials of this context (e.g. `aws eks update-kubeconfig`, `az aks get-credentials`, `gcloud container clusters get-credentials`, or a new token) and retry',
        details,
      },
    );
  }
  if (status === 403) return forbiddenError(serverMessage, subject, details);
  if (status === 404) {
    return new AppError('not-found', `${subject.method} ${subject.path}: ${serverMessage}`, {
      fix: 'Check that the namespace and object exist in this context (kubectl get …)',
      details,
    });
  }
  if (status === 409) {
    return new AppError('conflict', `${subject.method} ${subject.path}: ${serverMessage}`, {
      fix: 'Another writer changed or created it first; retry',
      details,
    });
  }
  if (status === 400 || status === 422) {
    return new AppError(
      'input.invalid',
      `the API server refused ${subject.method} ${subject.path}: ${serverMessage}`,
      {
        fix: 'Correct what the server names above (or check that this Kubernetes version supports the request)',
        details,
      },
    );
  }
  return new AppError(
    'cluster.unreachable',
    `the API server of context "${subject.context}" answered ${status}: ${serverMessage}`,
    {
      fix: 'The server is overloaded or failing; retry later or check its health',
      details,
    },
  );
}

function forbiddenError(
  serverMessage: string,
  subject: RequestSubject,
  details: Record<string, string>,
): AppError {
  const facts = parseForbidden(serverMessage);
  if (!facts) {
    return new AppError('auth.forbidden', `forbidden: ${serverMessage}`, {
      fix: 'Ask a cluster admin for the missing permission',
      details,
    });
  }
  const where = facts.namespace ? ` in namespace "${facts.namespace}"` : ' cluster-wide';
  const group = facts.apiGroup ? ` (API group "${facts.apiGroup}")` : '';
  return new AppError(
    'auth.forbidden',
    `forbidden: ${facts.user} may not ${facts.verb} ${facts.resource}${group}${where} in context "${subject.context}"`,
    {
      fix: `Grant verb "${facts.verb}" on resource "${facts.resource}"${group} to ${facts.user}${where} with a Role/ClusterRole and binding (\`gatehouse setup rbac\` prints least-privilege ones)`,
      details: {
        ...details,
        user: facts.user,
        verb: facts.verb,
        resource: facts.resource,
        apiGroup: facts.apiGroup,
        ...(facts.namespace ? { namespace: facts.namespace } : {}),
      },
    },
  );
}

function parseStatusBody(text: string): StatusBody {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as StatusBody) : {};
  } catch {
    // Not every error answer is a Status object (proxies, load balancers); use the raw text.
    return {};
  }
}
