import { auditedTransaction } from '../audit/index.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { AgentHello } from './protocol.js';
import { type Agent, agentPrincipal } from './records.js';

/**
 * Records that an agent connected to this replica, audited. The first cluster uid an agent
 * reports is kept: a token that later connects from another cluster (a copied secret) is refused.
 */
export async function recordConnected(
  store: Store,
  input: {
    readonly agent: Agent;
    readonly hello: AgentHello;
    readonly replica: string;
    readonly address: string;
  },
  now = new Date(),
): Promise<void> {
  const { agent, hello } = input;
  const at = now.toISOString();
  const moved = agent.clusterUid && hello.clusterUid && agent.clusterUid !== hello.clusterUid;
  await auditedTransaction(store, async ({ tx, audit }) => {
    await audit(
      {
        actor: agentPrincipal(agent).subject,
        action: 'agent.connect',
        target: agent.cluster,
        outcome: moved ? 'denied' : 'succeeded',
        details: {
          id: agent.id,
          replica: input.replica,
          address: input.address,
          agentVersion: hello.version,
          clusterUid: hello.clusterUid ?? null,
          kubernetesVersion: hello.kubernetesVersion ?? null,
        },
      },
      () => now,
    );
    if (moved) return;
    await tx
      .updateTable('agents')
      .set({
        connected_at: at,
        last_seen_at: at,
        replica: input.replica,
        agent_version: hello.version,
        kubernetes_version: hello.kubernetesVersion ?? null,
        cluster_uid: agent.clusterUid ?? hello.clusterUid ?? null,
        last_error: null,
      })
      .where('id', '=', agent.id)
      .execute();
  });
  if (moved)
    throw new AppError(
      'auth.forbidden',
      `agent "${agent.name}" connected from another cluster (kube-system uid ${hello.clusterUid}, registered ${agent.clusterUid})`,
      {
        fix: `If the cluster was rebuilt, revoke this agent and create a new one (\`gatehouse agents revoke ${agent.name}\`, \`gatehouse agents create NAME\`); else its token was copied: rotate it`,
      },
    );
}

/** Records that the agent's connection ended and why, audited. */
export async function recordDisconnected(
  store: Store,
  input: {
    readonly agent: Agent;
    readonly replica: string;
    readonly reason: string;
    /** A newer connection of the same agent took over: audited, but the cluster stays online. */
    readonly replaced?: boolean;
  },
  now = new Date(),
): Promise<void> {
  const at = now.toISOString();
  await auditedTransaction(store, async ({ tx, audit }) => {
    // Only this replica's connection: the agent may already be connected again elsewhere.
    if (!input.replaced)
      await tx
        .updateTable('agents')
        .set({ connected_at: null, disconnected_at: at, last_error: input.reason })
        .where('id', '=', input.agent.id)
        .where('replica', '=', input.replica)
        .execute();
    await audit(
      {
        actor: agentPrincipal(input.agent).subject,
        action: 'agent.disconnect',
        target: input.agent.cluster,
        outcome: 'succeeded',
        details: {
          id: input.agent.id,
          replica: input.replica,
          reason: input.reason,
          replaced: input.replaced === true,
        },
      },
      () => now,
    );
  });
}

/**
 * Renews a connected agent's row and says whether its token still stands: false once it was
 * revoked or rotated, so the server drops the connection.
 */
export async function renewPresence(
  store: Store,
  input: { readonly agent: Agent; readonly tokenHash: string; readonly replica: string },
  now = new Date(),
): Promise<boolean> {
  const row = await store.db
    .selectFrom('agents')
    .select(['token_hash', 'revoked_at'])
    .where('id', '=', input.agent.id)
    .executeTakeFirst();
  if (!row || row.revoked_at || row.token_hash !== input.tokenHash) return false;
  await store.db
    .updateTable('agents')
    .set({ last_seen_at: now.toISOString() })
    .where('id', '=', input.agent.id)
    .where('replica', '=', input.replica)
    .execute();
  return true;
}
