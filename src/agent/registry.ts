import { AppError, isAppError } from '../errors.js';
import type { ExecOptions, ExecResult, KubeRequest, KubeTransport } from '../kube/index.js';
import { type Agent, agentHeartbeatMs } from './records.js';
import type { FrameSocket, TunnelClient } from './tunnel-client.js';

/** One live agent connection on this replica. */
export interface AgentSession {
  readonly agent: Agent;
  readonly tunnel: TunnelClient;
  readonly socket: FrameSocket;
  readonly connectedAt: Date;
}

export interface AgentRegistryOptions {
  /** How long an idempotent read that lost its agent waits for it to come back before failing. */
  readonly reconnectWaitMs?: number;
  /** How often the server pings each agent and checks its token still stands (default 10 s). */
  readonly heartbeatMs?: number;
}

const lostCode = 'agent.lost';

/**
 * The agents connected to this server, by name, and a {@link KubeTransport} per agent cluster
 * that sends each call over whichever connection the agent has now. Plain map, no lifecycle of
 * its own: the WebSocket edge adds and removes sessions.
 */
export class AgentRegistry {
  readonly #sessions = new Map<string, AgentSession>();
  readonly #waiting = new Map<string, Set<() => void>>();
  readonly #reconnectWaitMs: number;
  readonly heartbeatMs: number;
  #forward: ((name: string) => Promise<KubeTransport | undefined>) | undefined;

  constructor(options: AgentRegistryOptions = {}) {
    this.#reconnectWaitMs = options.reconnectWaitMs ?? 15_000;
    this.heartbeatMs = Math.min(options.heartbeatMs ?? agentHeartbeatMs, agentHeartbeatMs);
  }

  /**
   * How to reach an agent connected to another replica (the server sets it: a relay to that
   * replica). Without it, such an agent is offline from here.
   */
  forwardWith(forward: (name: string) => Promise<KubeTransport | undefined>): void {
    this.#forward = forward;
  }

  /** Where a call for the agent goes now: its connection here, else the replica that holds it. */
  async route(name: string, options: { readonly forward?: boolean } = {}): Promise<KubeTransport> {
    const session = this.#sessions.get(name);
    if (session) return session.tunnel;
    const forwarded = options.forward === false ? undefined : await this.#forward?.(name);
    if (forwarded) return forwarded;
    throw offline(name);
  }

  /** Adds a session; one already there for the same agent is returned so the caller closes it. */
  add(session: AgentSession): AgentSession | undefined {
    const previous = this.#sessions.get(session.agent.name);
    this.#sessions.set(session.agent.name, session);
    for (const wake of this.#waiting.get(session.agent.name) ?? []) wake();
    this.#waiting.delete(session.agent.name);
    return previous;
  }

  /** Removes the session if it is still the agent's current one, failing its calls with `error`. */
  remove(session: AgentSession, error: AppError): void {
    if (this.#sessions.get(session.agent.name) === session) this.#sessions.delete(session.agent.name);
    session.tunnel.close(error);
  }

  session(name: string): AgentSession | undefined {
    return this.#sessions.get(name);
  }

  get sessions(): readonly AgentSession[] {
    return [...this.#sessions.values()];
  }

  /** Resolves with the agent's session once it is connected, or undefined after `ms`. */
  async waitFor(name: string, ms: number): Promise<AgentSession | undefined> {
    const now = this.#sessions.get(name);
    if (now || ms <= 0) return now;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiting.get(name)?.delete(wake);
        resolve();
      }, ms);
      const set = this.#waiting.get(name) ?? new Set();
      set.add(wake);
      this.#waiting.set(name, set);
    });
    return this.#sessions.get(name);
  }

  /**
   * The transport of cluster `agent/<name>`: it follows the agent across reconnections.
   * `forward: false` (calls forwarded by another replica) keeps them on this replica's own connection.
   */
  transport(name: string, options: { readonly forward?: boolean } = {}): KubeTransport {
    return new AgentTransport(this, name, this.#reconnectWaitMs, options.forward !== false);
  }
}

/** The error a call in flight fails with when its agent's connection ends. */
export function agentLost(agent: Agent, reason: string): AppError {
  return new AppError(
    'cluster.unreachable',
    `the agent of cluster "${agent.cluster}" disconnected (${reason})`,
    {
      fix: `Check the agent in that cluster (kubectl logs of the gatehouse agent pod); it reconnects by itself, then run the operation again`,
      details: { reason: lostCode, cluster: agent.cluster },
    },
  );
}

function offline(name: string): AppError {
  return new AppError(
    'cluster.unreachable',
    `cluster "agent/${name}" is offline: its agent is not connected to this server`,
    {
      fix: 'Check the agent in that cluster (kubectl logs of the gatehouse agent pod) and that it reaches this server; `gatehouse agents list` shows when it was last seen and by which replica (with several replicas, an agent serves only the one it is connected to)',
    },
  );
}

const isLost = (error: unknown) => isAppError(error) && error.details.reason === lostCode;

class AgentTransport implements KubeTransport {
  readonly name: string;
  readonly #registry: AgentRegistry;
  readonly #agent: string;
  readonly #reconnectWaitMs: number;
  readonly #forward: boolean;

  constructor(registry: AgentRegistry, agent: string, reconnectWaitMs: number, forward: boolean) {
    this.#registry = registry;
    this.#agent = agent;
    this.#reconnectWaitMs = reconnectWaitMs;
    this.#forward = forward;
    this.name = `agent "${agent}"`;
  }

  async request(request: KubeRequest): Promise<string> {
    const route = await this.#registry.route(this.#agent, { forward: this.#forward });
    try {
      return await route.request(request);
    } catch (error) {
      // A read changes nothing, so it may be asked again once the agent is back; a write may
      // already have happened on the API server, so it is not repeated.
      if ((request.method ?? 'GET') !== 'GET' || !isLost(error)) throw error;
      const back = await this.#registry.waitFor(this.#agent, this.#reconnectWaitMs);
      if (!back) throw error;
      return await back.tunnel.request(request);
    }
  }

  async exec(options: ExecOptions): Promise<ExecResult> {
    return await (await this.#registry.route(this.#agent, { forward: this.#forward })).exec(options);
  }
}
