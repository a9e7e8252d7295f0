import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { AppError, isAppError, withContext } from '../errors.js';
import { networkError, type RequestSubject, statusError, timeoutError } from './errors.js';

/**
 * Another way to reach the API server than HTTPS from this machine: AKS run command, for a
 * private cluster. Every request and exec goes through it.
 */
export interface KubeTransport {
  /** What the transport is, for logs and errors (e.g. "AKS run command"). */
  readonly name: string;
  request(request: KubeRequest): Promise<string>;
  exec(options: import('./exec.js').ExecOptions): Promise<import('./exec.js').ExecResult>;
}

export interface KubeRequest {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** API path, e.g. `/api/v1/namespaces`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  /** Content type of a PATCH body. */
  readonly patchType?: 'merge' | 'strategic' | 'json';
  readonly timeoutMs?: number;
}

const patchContentTypes = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
} as const;

/**
 * A narrow JSON client for one kubeconfig context. It exists so that every call has a timeout
 * and every failure comes out in the error vocabulary, naming the context.
 */
export class KubeClient {
  readonly context: string;
  readonly server: string;
  readonly #config: KubeConfig;
  readonly #timeoutMs: number;
  // client-node builds a new agent per call; reusing the first keeps TLS sessions alive.
  #agent: http.Agent | undefined;

  readonly #explain: ((error: AppError) => Promise<AppError>) | undefined;

  /**
   * `explain` lets a cloud provider restate a failure in its terms (an unmapped IAM role, a
   * private endpoint) before the caller sees it.
   */
  constructor(
    config: KubeConfig,
    options: {
      readonly timeoutMs?: number;
      readonly explain?: (error: AppError) => Promise<AppError>;
      readonly transport?: KubeTransport;
    } = {},
  ) {
    const cluster = config.getCurrentCluster();
    if (!cluster) {
      throw new AppError('context.unknown', `context "${config.getCurrentContext()}" has no cluster`, {
        fix: 'Select a context with --context',
      });
    }
    this.#config = config;
    this.context = config.getCurrentContext();
    this.server = cluster.server.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#explain = options.explain;
    this.transport = options.transport;
  }

  /** Set when requests do not go over HTTPS from here (see {@link KubeTransport}). */
  readonly transport: KubeTransport | undefined;

  get kubeConfig(): KubeConfig {
    return this.#config;
  }

  /** Sends one request and returns the parsed JSON answer. */
  async request<T>(request: KubeRequest): Promise<T> {
    const text = await this.requestText(request);
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }

  async requestText(request: KubeRequest): Promise<string> {
    if (!this.#explain) return await this.#requestText(request);
    try {
      return await this.#requestText(request);
    } catch (error) {
      throw error instanceof AppError ? await this.#explain(error).catch(() => error) : error;
    }
  }

  async #requestText(request: KubeRequest): Promise<string> {
    if (this.transport) return await this.transport.request(request);
    const method = request.method ?? 'GET';
    const url = new URL(this.server + request.path);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const subject: RequestSubject = {
      context: this.context,
      server: this.server,
      method,
      path: request.path,
    };
    const timeoutMs = request.timeoutMs ?? this.#timeoutMs;
    const options: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
    try {
      await this.#config.applyToHTTPSOptions(options);
    } catch (error) {
      if (/HTTP protocol is not allowed/.test(String(error))) {
        throw new AppError(
          'kubeconfig.malformed',
          `context "${this.context}" points at plain-HTTP ${this.server}`,
          {
            fix: 'Use https, or set insecure-skip-tls-verify: true on that cluster if plain HTTP (e.g. kubectl proxy) is intended',
            cause: error,
          },
        );
      }
      // A cloud token source already says what is wrong and how to fix it (expired AWS credentials,
      // a refused AssumeRole): keep that, adding only which context it was for.
      if (isAppError(error)) throw withContext(error, `getting credentials for context "${this.context}"`);
      throw new AppError(
        'auth.unauthorized',
        `cannot get credentials for context "${this.context}": ${String(error)}`,
        {
          fix: 'Check the user entry of this context (exec plugin installed and logged in, token file readable)',
          cause: error,
        },
      );
    }
    this.#agent ??= options.agent as http.Agent | undefined;
    options.agent = this.#agent;
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers = options.headers as Record<string, string>;
    if (payload !== undefined) {
      headers['Content-Type'] =
        method === 'PATCH' ? patchContentTypes[request.patchType ?? 'merge'] : 'application/json';
    }
    return await send(url, options, payload, timeoutMs, subject);
  }
}

function send(
  url: URL,
  options: https.RequestOptions,
  payload: string | undefined,
  timeoutMs: number,
  subject: RequestSubject,
): Promise<string> {
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => reject(networkError(error, subject)));
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(text);
        else reject(statusError(status, text, subject));
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(timeoutError(subject, timeoutMs));
    }, timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(networkError(error, subject));
    });
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
