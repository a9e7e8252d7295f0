import type { RequestState } from '../../access/index.js';
import { AppError } from '../../errors.js';
import type {
  AccessRequestView,
  ApiClient,
  IssuedCredentialView,
  NewRequestBody,
} from '../../server/contract/index.js';
import type { CommandContext } from '../context.js';
import { readCredential } from '../credentials.js';

/**
 * The access commands acting through a `gatehouse serve` API instead of a local store: the caller
 * is whoever the API token names, so people without any standing access to a cluster (the point
 * of EKS access-entry flows) can still request, and approvers can act from anywhere.
 */
export interface RemoteAccess {
  create(body: NewRequestBody): Promise<AccessRequestView>;
  act(id: string, verb: 'approve' | 'deny' | 'revoke', reason?: string): Promise<AccessRequestView>;
  extend(id: string, duration: string): Promise<AccessRequestView>;
  list(state?: RequestState): Promise<readonly AccessRequestView[]>;
  show(id: string): Promise<AccessRequestView>;
  credential(id: string): Promise<IssuedCredentialView>;
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
  let loaded: Promise<ApiClient> | undefined;
  // Loaded on first use: local access commands never load the contract and its schemas.
  const client = () => {
    loaded ??= import('../../server/contract/index.js').then(({ createClient }) =>
      createClient({ baseUrl: server, token }),
    );
    return loaded;
  };
  const list = async (state?: RequestState) =>
    (await (await client()).listRequests({ query: state ? { state } : {} })).items;
  // The API takes full ids only; a prefix typed here is resolved among the requests this user sees.
  const full = async (value: string): Promise<string> =>
    fullIdPattern.test(value) ? value : uniqueMatch(value, await list());
  const on = async (value: string) => ({ params: { id: await full(value) } });
  return {
    create: async (body) => (await (await client()).createRequest({ body })).request,
    act: async (request, verb, reason) => {
      const api = await client();
      const target = await on(request);
      const body = reason ? { reason } : {};
      if (verb === 'approve') return (await api.approveRequest({ ...target, body })).request;
      if (verb === 'deny') return (await api.denyRequest({ ...target, body })).request;
      return (await api.revokeRequest(target)).request;
    },
    extend: async (request, duration) =>
      (await (await client()).extendRequest({ ...(await on(request)), body: { duration } })).request,
    list,
    show: async (request) => (await (await client()).getRequest(await on(request))).request,
    credential: async (request) => await (await client()).issueCredential(await on(request)),
  };
}

const fullIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The one visible request whose id starts with the prefix. */
function uniqueMatch(prefix: string, requests: readonly AccessRequestView[]): string {
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
