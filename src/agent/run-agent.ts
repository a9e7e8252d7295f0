import { WebSocket } from 'ws';
import { describeError } from '../errors.js';
import { execInContainer, getServerVersion, type KubeClient, type KubeTransport } from '../kube/index.js';
import { admitKubernetesCall } from './api-guard.js';
import { type AgentHello, encodeFrame, maxFrameBytes } from './protocol.js';
import { connectProxyAgent, plainProxyAgent, proxyFor } from './proxy.js';
import { answerTunnel } from './tunnel-answer.js';

export interface RunAgentOptions {
  /** The Gatehouse server, e.g. https://gatehouse.example.com. */
  readonly server: string;
  /** Read again before each connection, so a rotated token file is picked up without a restart. */
  readonly token: () => string;
  /** The agent's own client for its API server (its ServiceAccount, or a kubeconfig). */
  readonly client: KubeClient;
  readonly version: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
  /** First and longest wait between attempts; each wait is drawn at random below the bound. */
  readonly backoffMs?: { readonly initial: number; readonly max: number };
}

/** A server that stops pinging for this long is taken for gone (it pings every 10 s). */
const silenceMs = 35_000;

/**
 * `gatehouse agent`: dials out to the server and serves its calls against this cluster's API,
 * reconnecting with capped exponential backoff and full jitter (agents restarted together do not
 * come back in step). Nothing listens here. Returns when `signal` aborts.
 */
export async function runAgent(options: RunAgentOptions): Promise<void> {
  const backoff = options.backoffMs ?? { initial: 1_000, max: 30_000 };
  const target = directTransport(options.client);
  let failures = 0;
  while (!options.signal.aborted) {
    const started = Date.now();
    const outcome = await connectOnce(options, target).catch((error: unknown) => describeError(error));
    if (options.signal.aborted) break;
    // A connection that held for a while was a success: start the backoff afresh.
    failures = Date.now() - started > 30_000 ? 0 : failures + 1;
    const bound = Math.min(backoff.max, backoff.initial * 2 ** Math.min(failures, 20));
    const wait = Math.round(Math.random() * bound);
    options.log(`${outcome}; reconnecting in ${(wait / 1000).toFixed(1)}s`);
    await sleep(wait, options.signal);
  }
}

/** The agent's API server, reached with its own credentials, for the tunnel to call. */
export function directTransport(client: KubeClient): KubeTransport {
  return {
    name: `API server ${client.server}`,
    request: (request) => client.requestText(request),
    exec: (options) => execInContainer(client, options),
  };
}

async function hello(options: RunAgentOptions): Promise<AgentHello> {
  const [version, namespace] = await Promise.allSettled([
    getServerVersion(options.client),
    options.client.request<{ metadata?: { uid?: string } }>({ path: '/api/v1/namespaces/kube-system' }),
  ]);
  const uid = namespace.status === 'fulfilled' ? namespace.value?.metadata?.uid : undefined;
  return {
    version: options.version,
    ...(uid ? { clusterUid: uid } : {}),
    ...(version.status === 'fulfilled' ? { kubernetesVersion: version.value.gitVersion } : {}),
  };
}

/** One connection, from dial to close; resolves with why it ended. */
async function connectOnce(options: RunAgentOptions, target: KubeTransport): Promise<string> {
  const url = new URL('/v1/agents/connect', options.server);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const proxy = proxyFor(url, options.env);
  const ca = options.env.GATEHOUSE_SERVER_CA;
  const ws = new WebSocket(url.toString(), {
    headers: { Authorization: `Bearer ${options.token()}` },
    maxPayload: maxFrameBytes,
    handshakeTimeout: 15_000,
    perMessageDeflate: false,
    ...(proxy
      ? {
          agent:
            url.protocol === 'wss:' ? connectProxyAgent(proxy, ca ? { ca } : {}) : plainProxyAgent(proxy),
        }
      : {}),
  });
  return await new Promise<string>((resolve) => {
    let answerer: ReturnType<typeof answerTunnel> | undefined;
    let silence: NodeJS.Timeout | undefined;
    const quiet = () => {
      clearTimeout(silence);
      silence = setTimeout(() => ws.terminate(), silenceMs);
    };
    const stop = () => ws.close(1001, 'the agent is stopping');
    options.signal.addEventListener('abort', stop, { once: true });
    ws.on('unexpected-response', (_request, response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.length < 16 && chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8').slice(0, 500);
        resolve(`the server refused the agent (HTTP ${response.statusCode}): ${text}`);
        ws.terminate();
      });
    });
    ws.on('open', () => {
      quiet();
      hello(options).then((about) => {
        ws.send(encodeFrame({ type: 'hello', hello: about }));
        options.log(
          `connected to ${options.server}${proxy ? ` through the proxy ${proxy.host}` : ''}; serving the API of ${options.client.server}`,
        );
        answerer = answerTunnel({ socket: ws, target, admit: admitLogged(options.log), log: options.log });
      });
    });
    ws.on('ping', quiet);
    ws.on('message', (data, isBinary) => answerer?.receive(data, isBinary));
    ws.on('error', (error) => resolve(`connection to ${options.server} failed: ${error.message}`));
    ws.on('close', (code, reason) => {
      clearTimeout(silence);
      answerer?.close();
      options.signal.removeEventListener('abort', stop);
      resolve(
        `disconnected from ${options.server} (code ${code}${reason.length ? `: ${reason.toString('utf8')}` : ''})`,
      );
    });
  });
}

/** The guard, with a log line per exec: the cluster keeps its own record of what ran through it. */
function admitLogged(log: (line: string) => void): typeof admitKubernetesCall {
  return (call) => {
    const refused = admitKubernetesCall(call);
    if (!refused && call.type === 'exec') {
      const { namespace, pod, container, command } = call.exec;
      log(`exec in ${namespace}/${pod}/${container}: ${command[0]?.slice(0, 40)} (${command.length} words)`);
    }
    return refused;
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
