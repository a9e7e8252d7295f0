import { WebSocket } from 'ws';
import { AppError, type ErrorCode } from '../errors.js';
import { maxFrameBytes } from './protocol.js';
import { connectProxyAgent, plainProxyAgent, proxyFor } from './proxy.js';
import { TunnelClient } from './tunnel-client.js';

export interface RelayOptions {
  /** The Gatehouse server the cluster's agent is connected to. */
  readonly server: string;
  readonly token: string | undefined;
  /** `agent/<name>`. */
  readonly cluster: string;
  readonly env: NodeJS.ProcessEnv;
}

/** An open relay: the transport for the cluster, and how to close it when the command ends. */
export interface Relay {
  readonly transport: TunnelClient;
  close(): void;
}

/**
 * Opens the CLI's way to an agent cluster: a WebSocket to the server, which passes each call on to
 * the agent. The same tunnel frames as server ↔ agent, so every command works unchanged.
 */
export async function dialRelay(options: RelayOptions): Promise<Relay> {
  if (!options.token)
    throw new AppError(
      'auth.unauthorized',
      `${options.cluster} is reached through ${options.server}, and you are not signed in to it`,
      {
        fix: `Run \`gatehouse login --server ${options.server}\`, or export GATEHOUSE_TOKEN with an API token`,
      },
    );
  const url = new URL('/v1/agents/relay', options.server);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('cluster', options.cluster);
  const proxy = proxyFor(url, options.env);
  const ws = new WebSocket(url.toString(), {
    headers: { Authorization: `Bearer ${options.token}` },
    maxPayload: maxFrameBytes,
    handshakeTimeout: 15_000,
    perMessageDeflate: false,
    ...(proxy ? { agent: url.protocol === 'wss:' ? connectProxyAgent(proxy) : plainProxyAgent(proxy) } : {}),
  });
  const transport = new TunnelClient({
    socket: ws,
    name: `agent of ${options.cluster} through ${options.server}`,
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (error) =>
      reject(
        new AppError(
          'cluster.unreachable',
          `cannot reach ${options.server} to relay to ${options.cluster}: ${error.message}`,
          {
            fix: 'Check GATEHOUSE_SERVER and that the server is running',
          },
        ),
      ),
    );
    ws.once('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        reject(refusal(Buffer.concat(chunks).toString('utf8'), response.statusCode ?? 0, options)),
      );
    });
  });
  ws.on('message', (data, isBinary) => transport.receive(data, isBinary));
  ws.on('close', (code, reason) =>
    transport.close(
      new AppError(
        'cluster.unreachable',
        `the relay to ${options.cluster} closed (code ${code}${reason.length ? `: ${reason.toString('utf8')}` : ''})`,
        {
          fix: 'Run the command again; `gatehouse clusters list` shows whether the agent is online',
        },
      ),
    ),
  );
  ws.on('error', () => ws.terminate());
  return { transport, close: () => ws.close(1000, 'done') };
}

function refusal(body: string, status: number, options: RelayOptions): AppError {
  try {
    const { error } = JSON.parse(body) as { error: { code: ErrorCode; message: string; fix: string | null } };
    return new AppError(
      error.code,
      `${options.server} refused to relay to ${options.cluster}: ${error.message}`,
      {
        ...(error.fix ? { fix: error.fix } : {}),
      },
    );
  } catch {
    return new AppError(
      'cluster.unreachable',
      `${options.server} answered HTTP ${status} to a relay request`,
      {
        fix: 'Check that GATEHOUSE_SERVER is a Gatehouse server of this version',
      },
    );
  }
}
