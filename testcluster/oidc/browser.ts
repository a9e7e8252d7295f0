import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Response {
  readonly status: number;
  readonly location?: string;
  readonly body: string;
  /** The response's Set-Cookie lines, attributes and all. */
  readonly setCookies: readonly string[];
}

/**
 * The little of a browser the sign-in driver needs: HTTPS trusting one CA (and plain HTTP, for a
 * Gatehouse server on loopback), a cookie jar, and absolute redirect targets. Cookies are sent
 * on every path and, as browsers do, regardless of port: one jar serves one person.
 */
export class Browser {
  readonly #ca: string;
  readonly #cookies = new Map<string, string>();

  constructor(ca: string) {
    this.#ca = ca;
  }

  /** A cookie's value, as the jar holds it. */
  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** Sets (or, with undefined, drops) a cookie, as a tampering user could. */
  setCookie(name: string, value: string | undefined): void {
    if (value === undefined) this.#cookies.delete(name);
    else this.#cookies.set(name, value);
  }

  get(url: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.#send('GET', url, headers);
  }

  postForm(
    url: string,
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const body = new URLSearchParams(form).toString();
    return this.#send('POST', url, { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body);
  }

  #send(method: string, url: string, headers: Record<string, string>, body?: string): Promise<Response> {
    const cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    return new Promise((resolve, reject) => {
      const secure = url.startsWith('https:');
      const call = (secure ? httpsRequest : httpRequest)(
        url,
        {
          method,
          ...(secure ? { ca: this.#ca } : {}),
          headers: { accept: 'text/html,application/json', ...(cookie ? { cookie } : {}), ...headers },
          timeout: 10_000,
        },
        (res) => {
          this.#remember(res.headers['set-cookie'] ?? []);
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const location = res.headers.location;
            resolve({
              status: res.statusCode ?? 0,
              ...(location ? { location: new URL(location, url).href } : {}),
              body: Buffer.concat(chunks).toString('utf8'),
              setCookies: res.headers['set-cookie'] ?? [],
            });
          });
        },
      );
      call.on('timeout', () => call.destroy(new Error(`${method} ${url}: no answer in 10 s`)));
      call.on('error', reject);
      call.end(body);
    });
  }

  #remember(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const name = pair.slice(0, equals).trim();
      const value = pair.slice(equals + 1).trim();
      const expires = attributes.find((attribute) => /^\s*expires=/i.test(attribute));
      const gone = expires !== undefined && Date.parse(expires.split('=')[1] ?? '') <= Date.now();
      if (!value || gone) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
}
