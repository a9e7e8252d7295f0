import { request } from 'node:https';
import type { CustomFetch } from 'openid-client';

function bodyBytes(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(new Uint8Array(body));
  // openid-client sends no streams for the requests sign-in makes.
  throw new Error('streamed request bodies are not supported when oidc.caFile is set');
}

/**
 * A fetch for openid-client that trusts exactly the given CAs (PEM): the provider's private CA,
 * for Gatehouse's calls to it only, without changing what the rest of the process trusts (as
 * NODE_EXTRA_CA_CERTS would). Built on node:https, so no extra dependency.
 */
export function fetchTrusting(ca: string): CustomFetch {
  return (url, options) =>
    new Promise<Response>((resolve, reject) => {
      if (!url.startsWith('https:')) {
        reject(new Error(`refusing a plain-http call to ${url}: the provider must be served over https`));
        return;
      }
      const body = bodyBytes(options.body);
      const call = request(
        url,
        {
          method: options.method,
          headers: { ...options.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
          ca,
          ...(options.signal ? { signal: options.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const headers = new Headers();
            for (const [name, value] of Object.entries(res.headers))
              for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value])
                headers.append(name, item);
            const status = res.statusCode ?? 502;
            const empty = status === 204 || status === 304;
            resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers }));
          });
        },
      );
      call.on('error', reject);
      call.end(body);
    });
}
