import { randomBytes, randomUUID } from 'node:crypto';
import { auditedTransaction } from '../audit/index.js';
import type { ClusterStatus } from '../clusters/index.js';
import { AppError } from '../errors.js';
import { hashToken, type Principal } from '../identity/index.js';
import type { Store } from '../store/index.js';
import type { AgentsTable } from '../store/tables/agents.js';

/** An agent as `agents list` shows it: never its token. */
export interface Agent {
  readonly id: string;
  readonly name: string;
  /** How Gatehouse names its cluster (`--context`, `clusters list`). */
  readonly cluster: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly rotatedAt: string | undefined;
  readonly revokedAt: string | undefined;
  readonly clusterUid: string | undefined;
  readonly kubernetesVersion: string | undefined;
  readonly agentVersion: string | undefined;
  readonly connectedAt: string | undefined;
  readonly disconnectedAt: string | undefined;
  readonly lastSeenAt: string | undefined;
  readonly lastError: string | undefined;
}

export type AgentState = 'online' | 'offline' | 'never-connected' | 'revoked';

const tokenPrefix = 'gha_';
const namePattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const agentClusterPrefix = 'agent/';
/** A connected agent's row is renewed this often; twice that without renewal reads as offline. */
export const agentHeartbeatMs = 10_000;

export const agentCluster = (name: string) => `${agentClusterPrefix}${name}`;
export const isAgentCluster = (cluster: string) => cluster.startsWith(agentClusterPrefix);

function toAgent(row: AgentsTable): Agent {
  const optional = (value: string | null) => value ?? undefined;
  return {
    id: row.id,
    name: row.name,
    cluster: agentCluster(row.name),
    createdAt: row.created_at,
    createdBy: row.created_by,
    rotatedAt: optional(row.rotated_at),
    revokedAt: optional(row.revoked_at),
    clusterUid: optional(row.cluster_uid),
    kubernetesVersion: optional(row.kubernetes_version),
    agentVersion: optional(row.agent_version),
    connectedAt: optional(row.connected_at),
    disconnectedAt: optional(row.disconnected_at),
    lastSeenAt: optional(row.last_seen_at),
    lastError: optional(row.last_error),
  };
}

/** Online only while connected and renewed recently: a server that died cannot leave it online. */
export function agentState(agent: Agent, now = new Date()): AgentState {
  if (agent.revokedAt) return 'revoked';
  if (!agent.connectedAt && !agent.disconnectedAt) return 'never-connected';
  const seen = agent.lastSeenAt ? Date.parse(agent.lastSeenAt) : 0;
  return agent.connectedAt && now.getTime() - seen < 3 * agentHeartbeatMs ? 'online' : 'offline';
}

const newToken = () => `${tokenPrefix}${randomBytes(32).toString('base64url')}`;

/**
 * Registers an agent for one cluster and mints its token, printed once and kept only as a hash.
 *
 * @example
 * const { token } = await createAgent(store, { name: 'prod-eu', actor: 'local:root' });
 */
export async function createAgent(
  store: Store,
  input: { readonly name: string; readonly actor: string },
  now = new Date(),
): Promise<{ readonly agent: Agent; readonly token: string }> {
  if (!namePattern.test(input.name))
    throw new AppError('input.invalid', `agent name "${input.name.slice(0, 80)}" is not allowed`, {
      fix: 'Use lowercase letters, digits and dashes (at most 63), e.g. prod-eu',
    });
  const token = newToken();
  const row: AgentsTable = {
    id: randomUUID(),
    name: input.name,
    token_hash: hashToken(token),
    created_at: now.toISOString(),
    created_by: input.actor,
    rotated_at: null,
    revoked_at: null,
    cluster_uid: null,
    kubernetes_version: null,
    agent_version: null,
    connected_at: null,
    disconnected_at: null,
    last_seen_at: null,
    replica: null,
    last_error: null,
  };
  await auditedTransaction(store, async ({ tx, audit }) => {
    const taken = await tx
      .selectFrom('agents')
      .select('id')
      .where('name', '=', input.name)
      .executeTakeFirst();
    if (taken)
      throw new AppError('conflict', `an agent named "${input.name}" exists`, {
        fix: `Rotate its token with \`gatehouse agents rotate ${input.name}\`, or pick another name`,
      });
    await tx.insertInto('agents').values(row).execute();
    const details = { id: row.id, cluster: agentCluster(input.name) };
    await audit(
      { actor: input.actor, action: 'agent.create', target: input.name, outcome: 'succeeded', details },
      () => now,
    );
  });
  return { agent: toAgent(row), token };
}

export async function listAgents(store: Store): Promise<Agent[]> {
  const rows = await store.db.selectFrom('agents').selectAll().orderBy('name').execute();
  return rows.map(toAgent);
}

export async function findAgent(store: Store, name: string): Promise<Agent> {
  const row = await store.db.selectFrom('agents').selectAll().where('name', '=', name).executeTakeFirst();
  if (!row)
    throw new AppError('not-found', `no agent named "${name.slice(0, 80)}"`, {
      fix: 'List agents with `gatehouse agents list`; create one with `gatehouse agents create NAME`',
    });
  return toAgent(row);
}

/**
 * Replaces an agent's token: the old one stops working at once (a connected agent is dropped
 * within a heartbeat) and the new one is printed once. Also lifts a revocation.
 */
export async function rotateAgentToken(
  store: Store,
  input: { readonly name: string; readonly actor: string },
  now = new Date(),
): Promise<{ readonly agent: Agent; readonly token: string }> {
  const agent = await findAgent(store, input.name);
  const token = newToken();
  await auditedTransaction(store, async ({ tx, audit }) => {
    await tx
      .updateTable('agents')
      .set({ token_hash: hashToken(token), rotated_at: now.toISOString(), revoked_at: null })
      .where('id', '=', agent.id)
      .execute();
    await audit(
      {
        actor: input.actor,
        action: 'agent.rotate',
        target: agent.name,
        outcome: 'succeeded',
        details: { id: agent.id },
      },
      () => now,
    );
  });
  return { agent: { ...agent, rotatedAt: now.toISOString(), revokedAt: undefined }, token };
}

/** Revokes an agent's token: it cannot connect again, and a connected one is dropped within a heartbeat. */
export async function revokeAgent(
  store: Store,
  input: { readonly name: string; readonly actor: string },
  now = new Date(),
): Promise<Agent> {
  const agent = await findAgent(store, input.name);
  await auditedTransaction(store, async ({ tx, audit }) => {
    await tx
      .updateTable('agents')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', agent.id)
      .execute();
    await audit(
      {
        actor: input.actor,
        action: 'agent.revoke',
        target: agent.name,
        outcome: 'succeeded',
        details: { id: agent.id },
      },
      () => now,
    );
  });
  return { ...agent, revokedAt: now.toISOString() };
}

/** Who an agent is in the audit log: `agent:NAME`, with no platform role. */
export function agentPrincipal(agent: Agent): Principal {
  return {
    subject: `agent:${agent.name}`,
    groups: [],
    roles: [],
    authenticatedBy: { kind: 'agent', agentId: agent.id },
  };
}

/** The agent a token belongs to, or `auth.unauthorized` saying why not (never which part matched). */
export async function authenticateAgent(store: Store, token: string | undefined): Promise<Agent> {
  const row = token?.startsWith(tokenPrefix)
    ? await store.db
        .selectFrom('agents')
        .selectAll()
        .where('token_hash', '=', hashToken(token))
        .executeTakeFirst()
    : undefined;
  if (!row || row.revoked_at)
    throw new AppError('auth.unauthorized', row ? `agent "${row.name}" was revoked` : 'unknown agent token', {
      fix: 'Create or rotate the agent token with `gatehouse agents create NAME` or `gatehouse agents rotate NAME`, and give it to the agent',
    });
  return toAgent(row);
}

/** Agent clusters as `clusters list` shows them: reachable while the agent is online (revoked ones are left out). */
export function agentClusterStatuses(agents: readonly Agent[], now = new Date()): ClusterStatus[] {
  return agents
    .filter((agent) => !agent.revokedAt)
    .map((agent) => {
      const state = agentState(agent, now);
      const since = state === 'online' ? agent.connectedAt : agent.disconnectedAt;
      const why =
        state === 'never-connected'
          ? 'its agent has never connected'
          : `its agent is offline since ${since}${agent.lastError ? ` (${agent.lastError})` : ''}`;
      return {
        cluster: { name: agent.cluster, provider: 'agent', server: 'agent tunnel', current: false },
        reachable: state === 'online',
        ...(agent.kubernetesVersion ? { version: agent.kubernetesVersion } : {}),
        agent: { state, ...(since ? { since } : {}) },
        ...(state === 'online'
          ? {}
          : {
              error: {
                code: 'cluster.unreachable' as const,
                message: `${why}. Check the agent pod in that cluster; it reconnects by itself`,
              },
            }),
      };
    });
}
