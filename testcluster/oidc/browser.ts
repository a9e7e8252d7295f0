import { request } from 'node:https';

export interface Response {
  readonly status: number;
  readonly location?: string;
  readonly body: string;
}

/**
 * The little of a browser the sign-in driver needs: HTTPS trusting one CA, a cookie jar, and
 * absolute redirect targets. Cookies are sent on every path: one jar serves one sign-in.
 */
export class Browser {
  readonly #ca: string;
  readonly #cookies = new Map<string, string>();

  constructor(ca: string) {
    this.#ca = ca;
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
      const call = request(
        url,
        {
          method,
          ca: this.#ca,
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
