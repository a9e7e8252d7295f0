import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  type Agent,
  type AgentRegistry,
  agentLost,
  answerTunnel,
  authenticateAgent,
  authenticateReplica,
  isAgentCluster,
  isReplicaSecret,
  maxFrameBytes,
  parseAnswerFrame,
  recordConnected,
  recordDisconnected,
  relayPolicy,
  renewPresence,
  TunnelClient,
} from '../agent/index.js';
import { appendAudit } from '../audit/index.js';
import type { SessionSettings } from '../config/index.js';
import { AppError, describeError, isAppError } from '../errors.js';
import { authenticateBearer, hashToken, type Principal, requireRole } from '../identity/index.js';
import type { Store } from '../store/index.js';
import { httpStatusFor } from './errors.js';

export interface AgentSocketsOptions {
  readonly store: Store;
  readonly registry: AgentRegistry;
  readonly sessions: SessionSettings;
  readonly replica: string;
  readonly log: (line: string) => void;
}

const helloTimeoutMs = 10_000;

/**
 * The two WebSocket doors of the server: `/v1/agents/connect`, where in-cluster agents dial in
 * with their token and become their cluster's transport, and `/v1/agents/relay?cluster=agent/NAME`,
 * where a CLI signed in to this server sends calls on to an agent. Authentication comes before
 * the upgrade: a refused caller gets an HTTP error and no socket.
 */
export function agentUpgrades(
  options: AgentSocketsOptions,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: maxFrameBytes,
    perMessageDeflate: false,
  });
  return (request, socket, head) => {
    // Node leaves an upgraded socket without an error listener: a caller that resets it while
    // its token is checked, or while it is refused, would otherwise crash the server.
    const dropped = () => socket.destroy();
    socket.on('error', dropped);
    const refuse = (error: unknown) => refuseUpgrade(socket, error, options.log);
    // `GET //` or `GET //a:99999/` is no URL: thrown here, in the server's upgrade event, it would end the process.
    const url = URL.parse(request.url ?? '/', 'http://server');
    if (!url)
      return refuse(
        new AppError('input.invalid', `"${(request.url ?? '').slice(0, 100)}" is not a request path`, {
          fix: 'Agents connect to /v1/agents/connect',
        }),
      );
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const accept = (then: (ws: WebSocket) => void) => {
      // From here the WebSocket library listens for errors on the socket itself.
      socket.off('error', dropped);
      sockets.handleUpgrade(request, socket, head, then);
    };
    if (url.pathname === '/v1/agents/connect') {
      authenticateAgent(options.store, token).then(
        (agent) =>
          accept((ws) =>
            serveAgent(options, ws, agent, {
              tokenHash: hashToken(token ?? ''),
              address: request.socket.remoteAddress ?? '',
            }),
          ),
        refuse,
      );
    } else if (url.pathname === '/v1/agents/relay') {
      const cluster = url.searchParams.get('cluster') ?? '';
      openRelay(options, token, cluster).then(
        (relay) => accept((ws) => serveRelay(options, ws, relay)),
        refuse,
      );
    } else {
      refuse(
        new AppError('not-found', `no WebSocket endpoint ${url.pathname.slice(0, 100)}`, {
          fix: 'Agents connect to /v1/agents/connect',
        }),
      );
    }
  };
}

function refuseUpgrade(socket: Duplex, error: unknown, log: (line: string) => void): void {
  const known = isAppError(error);
  if (!known) log(`refusing a WebSocket upgrade: ${describeError(error)}`);
  const status = known ? httpStatusFor(error.code) : 500;
  const body = JSON.stringify({
    error: known
      ? { code: error.code, message: error.message, fix: error.fix ?? null }
      : { code: 'internal', message: 'internal error', fix: null },
  });
  socket.end(
    `HTTP/1.1 ${status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Who may relay: the agent's RBAC becomes theirs, so only admins and responders. */
async function openRelay(
  options: AgentSocketsOptions,
  token: string | undefined,
  cluster: string,
): Promise<{ readonly name: string; readonly principal: Principal; readonly forwarded: boolean }> {
  // Another replica forwarding a call for an agent connected here (see agent-forwarding.ts).
  const forwarded = isReplicaSecret(token);
  const principal: Principal = forwarded
    ? {
        subject: `replica:${await authenticateReplica(options.store, token ?? '')}`,
        groups: [],
        roles: ['admin'],
        authenticatedBy: { kind: 'replica' },
      }
    : await authenticateBearer(options.store, options.sessions, token);
  requireRole(principal, 'responder', `reach cluster ${cluster.slice(0, 100)} through its agent`);
  if (!isAgentCluster(cluster))
    throw new AppError('input.invalid', `"${cluster.slice(0, 100)}" is not an agent cluster`, {
      fix: 'Name it as `gatehouse agents list` shows it, e.g. agent/prod',
    });
  const name = cluster.slice('agent/'.length);
  await appendAudit(options.store, {
    actor: principal.subject,
    action: 'agent.relay',
    target: cluster,
    outcome: 'succeeded',
    details: { replica: options.replica },
  });
  return { name, principal, forwarded };
}

function serveRelay(
  options: AgentSocketsOptions,
  ws: WebSocket,
  relay: { readonly name: string; readonly principal: Principal; readonly forwarded: boolean },
): void {
  const { name, principal } = relay;
  const answerer = answerTunnel({
    socket: ws,
    // A forwarded call stays on this replica's own connection: it is never forwarded again.
    target: options.registry.transport(name, { forward: !relay.forwarded }),
    admit: relayPolicy(principal),
    log: (line) => options.log(`relay to agent/${name}: ${line}`),
  });
  ws.on('message', (data, isBinary) => answerer.receive(data, isBinary));
  ws.on('close', () => answerer.close());
  ws.on('error', () => ws.terminate());
}

function serveAgent(
  options: AgentSocketsOptions,
  ws: WebSocket,
  agent: Agent,
  connection: { readonly tokenHash: string; readonly address: string },
): void {
  const { store, replica, log } = options;
  const timer = setTimeout(() => ws.close(4408, 'no hello'), helloTimeoutMs);
  ws.once('message', (data, isBinary) => {
    clearTimeout(timer);
    const hello = parseAnswerFrame(data, isBinary);
    if (hello.type !== 'hello') {
      ws.close(4400, 'the first frame must be a hello');
      return;
    }
    recordConnected(store, { agent, hello: hello.hello, replica, address: connection.address }).then(
      () => attach(options, ws, agent, connection.tokenHash),
      (error: unknown) => {
        log(`agent ${agent.name} refused: ${describeError(error)}`);
        ws.close(4403, describeError(error).slice(0, 120));
      },
    );
  });
}

function attach(options: AgentSocketsOptions, ws: WebSocket, agent: Agent, tokenHash: string): void {
  const { store, registry, replica, log } = options;
  const tunnel = new TunnelClient({
    socket: ws,
    name: `agent "${agent.name}"`,
    onViolation: (reason) => log(`agent ${agent.name} broke the protocol: ${reason}`),
  });
  const session = { agent, tunnel, socket: ws, connectedAt: new Date() };
  registry.add(session)?.socket.close(4409, 'replaced by a newer connection');
  log(`agent ${agent.name} connected: cluster ${agent.cluster} online`);
  ws.on('message', (data, isBinary) => tunnel.receive(data, isBinary));
  let alive = true;
  ws.on('pong', () => {
    alive = true;
  });
  // A peer that stops answering pings is gone even if TCP has not noticed (a cut network path).
  const heartbeat = setInterval(() => {
    if (!alive) {
      ws.terminate();
      return;
    }
    alive = false;
    ws.ping();
    renewPresence(store, { agent, tokenHash, replica }).then(
      (stands) => stands || ws.close(4401, 'the agent token was revoked or rotated'),
      (error: unknown) => log(`renewing agent ${agent.name}: ${describeError(error)}`),
    );
  }, registry.heartbeatMs);
  ws.on('error', () => ws.terminate());
  ws.on('close', (code, reason) => {
    clearInterval(heartbeat);
    const why = `${reason.toString('utf8') || 'connection closed'} (code ${code})`;
    registry.remove(session, agentLost(agent, why));
    // Replaced by a newer connection of the same agent: the cluster stays online.
    const replaced = registry.session(agent.name) !== undefined;
    log(`agent ${agent.name} disconnected: ${why}${replaced ? '' : `; cluster ${agent.cluster} offline`}`);
    recordDisconnected(store, { agent, replica, reason: why, replaced }).catch((error: unknown) =>
      log(`recording that agent ${agent.name} left: ${describeError(error)}`),
    );
  });
}
