import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import tls from 'node:tls';

/** The proxy URL to use for `target`, from HTTPS_PROXY / HTTP_PROXY and NO_PROXY, as curl reads them. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): URL | undefined {
  const secure = target.protocol === 'https:' || target.protocol === 'wss:';
  const raw = secure ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!raw) return undefined;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((entry) => entry.trim().toLowerCase());
  const host = target.hostname.toLowerCase();
  const bypass = noProxy.some(
    (entry) =>
      entry === '*' ||
      (entry !== '' &&
        (host === entry.replace(/^\./, '') || host.endsWith(entry.startsWith('.') ? entry : `.${entry}`))),
  );
  return bypass ? undefined : new URL(raw.includes('://') ? raw : `http://${raw}`);
}

/**
 * An agent for `ws` that reaches the server through an HTTP proxy with CONNECT (then TLS inside
 * the tunnel for https): how an agent in a locked-down cluster gets out.
 */
export function connectProxyAgent(proxy: URL, options: { readonly ca?: string } = {}): http.Agent {
  const agent = new https.Agent({ keepAlive: false });
  type Options = {
    host?: string | null;
    hostname?: string | null;
    port?: number | string | null;
    servername?: string;
  };
  const connect = (target: Options, done: (error: Error | null, socket?: Socket) => void) => {
    const host = target.hostname ?? target.host ?? 'localhost';
    const port = Number(target.port ?? 443);
    const authorization = proxy.username
      ? {
          'Proxy-Authorization': `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`,
        }
      : {};
    const request = http.request({
      host: proxy.hostname,
      port: Number(proxy.port || 80),
      method: 'CONNECT',
      path: `${host}:${port}`,
      headers: { Host: `${host}:${port}`, ...authorization },
    });
    request.once('connect', (response, socket) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        done(
          new Error(`the proxy ${proxy.host} refused CONNECT ${host}:${port} with ${response.statusCode}`),
        );
        return;
      }
      const secure = tls.connect({
        socket,
        servername: target.servername ?? host,
        ...(options.ca ? { ca: options.ca } : {}),
      });
      secure.once('secureConnect', () => done(null, secure));
      secure.once('error', (error) => done(error));
    });
    request.once('error', (error) =>
      done(new Error(`cannot reach the proxy ${proxy.host}: ${error.message}`)),
    );
    request.end();
  };
  // Node's Agent lets createConnection hand the socket over through a callback, after the CONNECT.
  (agent as unknown as { createConnection: typeof connect }).createConnection = connect;
  return agent;
}

/** Plain-http proxying of a ws:// URL: only for tests and local setups; the agent sends its token. */
export function plainProxyAgent(proxy: URL): http.Agent {
  const agent = new http.Agent({ keepAlive: false });
  const connect = (
    target: { hostname?: string | null; host?: string | null; port?: number | string | null },
    done: (error: Error | null, socket?: Socket) => void,
  ) => {
    const host = target.hostname ?? target.host ?? 'localhost';
    const port = Number(target.port ?? 80);
    const request = http.request({
      host: proxy.hostname,
      port: Number(proxy.port || 80),
      method: 'CONNECT',
      path: `${host}:${port}`,
    });
    request.once('connect', (response, socket) =>
      response.statusCode === 200
        ? done(null, socket)
        : done(new Error(`the proxy ${proxy.host} refused CONNECT with ${response.statusCode}`)),
    );
    request.once('error', (error) =>
      done(new Error(`cannot reach the proxy ${proxy.host}: ${error.message}`)),
    );
    request.end();
  };
  (agent as unknown as { createConnection: typeof connect }).createConnection = connect;
  return agent;
}
