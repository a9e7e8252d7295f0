import type { AccessRequest, IssuedCredential, RequestState } from '../../access/index.js';
import { AppError, type ErrorCode, messageOf } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { readCredential } from '../credentials.js';

/**
 * The access commands acting through a `gatehouse serve` API instead of a local store: the caller
 * is whoever the API token names, so people without any standing access to a cluster (the point
 * of EKS access-entry flows) can still request, and approvers can act from anywhere.
 */
export interface RemoteAccess {
  create(body: Record<string, unknown>): Promise<AccessRequest>;
  act(
    id: string,
    verb: 'approve' | 'deny' | 'revoke',
    body?: Record<string, unknown>,
  ): Promise<AccessRequest>;
  extend(id: string, duration: string): Promise<AccessRequest>;
  list(state?: RequestState): Promise<AccessRequest[]>;
  show(id: string): Promise<AccessRequest>;
  credential(id: string): Promise<IssuedCredential>;
}

/** The remote client when GATEHOUSE_SERVER (or `server:` in the config file) is set. */
export function remoteAccess(context: CommandContext): RemoteAccess | undefined {
  const server = context.config.server;
  if (!server) return undefined;
  // Never a flag, so it stays out of shell history and ps: an API token from the environment
  // (automation), else the session `gatehouse login` keeps for this server.
  const token = context.env.GATEHOUSE_TOKEN || readCredential(context.config, server)?.token;
  if (!token)
    throw new AppError('auth.unauthorized', `GATEHOUSE_SERVER is ${server} but you are not signed in to it`, {
      fix: `Run \`gatehouse login --server ${server}\`, or export GATEHOUSE_TOKEN with an API token (automation)`,
    });
  const base = server.replace(/\/+$/, '');
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new AppError(
        'cluster.unreachable',
        `cannot reach the Gatehouse server ${base}: ${messageOf(error)}`,
        {
          fix: 'Check GATEHOUSE_SERVER and that `gatehouse serve` is running and reachable',
        },
      );
    }
    const text = await response.text();
    const parsed = (text ? JSON.parse(text) : {}) as {
      error?: { code: ErrorCode; message: string; fix: string | null };
    };
    if (!response.ok)
      throw new AppError(
        parsed.error?.code ?? 'internal',
        `Gatehouse server: ${parsed.error?.message ?? `HTTP ${response.status}`}`,
        {
          ...(parsed.error?.fix ? { fix: parsed.error.fix } : {}),
        },
      );
    return parsed as T;
  };
  const id = (value: string) => encodeURIComponent(value);
  const list = async (state?: RequestState) =>
    (await call<{ items: AccessRequest[] }>('GET', `/v1/requests${state ? `?state=${id(state)}` : ''}`))
      .items;
  // The API takes full ids only; a prefix typed here is resolved among the requests this user sees.
  const full = async (value: string): Promise<string> =>
    fullIdPattern.test(value) ? value : id(uniqueMatch(value, await list()));
  return {
    create: async (body) => (await call<{ request: AccessRequest }>('POST', '/v1/requests', body)).request,
    act: async (request, verb) =>
      (await call<{ request: AccessRequest }>('POST', `/v1/requests/${await full(request)}/${verb}`, {}))
        .request,
    extend: async (request, duration) =>
      (
        await call<{ request: AccessRequest }>('POST', `/v1/requests/${await full(request)}/extend`, {
          duration,
        })
      ).request,
    list,
    show: async (request) =>
      (await call<{ request: AccessRequest }>('GET', `/v1/requests/${await full(request)}`)).request,
    credential: async (request) =>
      await call<IssuedCredential>('POST', `/v1/requests/${await full(request)}/credential`, {}),
  };
}

const fullIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The one visible request whose id starts with the prefix. */
function uniqueMatch(prefix: string, requests: readonly AccessRequest[]): string {
  const matching = /^[0-9a-f-]+$/.test(prefix)
    ? requests.filter((request) => request.id.startsWith(prefix))
    : [];
  if (matching.length !== 1)
    throw new AppError(
      'not-found',
      matching.length === 0
        ? `no access request ${prefix.slice(0, 64)}`
        : `request id ${prefix} is ambiguous`,
      { fix: 'List requests with `gatehouse access list`; give more characters of the id' },
    );
  return matching[0]!.id;
}
