import type * as z from 'zod';
import { AppError, messageOf } from '../../errors.js';
import { errorSchema, inputError, isErrorCode } from './errors.js';
import type { RouteDescription, RouteInput, RouteOutput } from './route.js';
import { type RouteName, type Routes, routes } from './routes.js';

export interface ClientOptions {
  /** Where `gatehouse serve` answers, e.g. `https://gatehouse.example.com`. */
  readonly baseUrl: string;
  /** An API token or a session token from `gatehouse login`; sent as `Authorization: Bearer`. */
  readonly token?: string | undefined;
  /** The transport; global fetch by default (tests pass the app's own `request`). */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
  readonly timeoutMs?: number;
}

type ClientMethod<R extends RouteDescription> =
  object extends RouteInput<R>
    ? (input?: RouteInput<R>) => Promise<RouteOutput<R>>
    : (input: RouteInput<R>) => Promise<RouteOutput<R>>;

/** One method per route, named as in `routes`, with inputs and answers typed from their schemas. */
export type ApiClient = { readonly [K in RouteName]: ClientMethod<Routes[K]> };

interface AnyInput {
  readonly params?: unknown;
  readonly query?: unknown;
  readonly body?: unknown;
}

/** Checks one part of the input against its schema, so a bad value is refused before it is sent. */
function checked(part: 'path' | 'query' | 'body', schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}), { reportInput: true });
  if (!result.success) throw inputError(part, result.error.issues);
  return result.data;
}

function urlOf(base: string, route: RouteDescription, input: AnyInput): string {
  const params = (checked('path', route.params, input.params) ?? {}) as Record<string, string>;
  checked('query', route.query, input.query);
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  const query = new URLSearchParams();
  // The values as given (the server coerces and defaults them), without the absent ones.
  for (const [name, value] of Object.entries((input.query ?? {}) as Record<string, unknown>))
    if (value !== undefined) query.set(name, String(value));
  const search = query.size > 0 ? `?${query}` : '';
  return `${base}${path}${search}`;
}

function bodyOf(route: RouteDescription, input: AnyInput): { body?: string; type?: string } {
  if (!route.body) return {};
  const value = checked('body', route.body.schema, input.body);
  return {
    body: typeof value === 'string' ? value : JSON.stringify(value),
    type: route.body.mediaType,
  };
}

/** The server's error as an AppError with its code, message and fix; 401 says how to sign in. */
function refusal(base: string, status: number, answer: unknown): AppError {
  const parsed = errorSchema.safeParse(answer);
  if (!parsed.success)
    return new AppError('internal', `Gatehouse server ${base} answered HTTP ${status} without an error`, {
      fix: `Check that ${base} is the address of \`gatehouse serve\`, not a proxy`,
    });
  const { code, message, fix } = parsed.data.error;
  if (status === 401)
    return new AppError('auth.unauthorized', `Gatehouse server: ${message}`, {
      fix: `Sign in with \`gatehouse login --server ${base}\`, or set GATEHOUSE_TOKEN to a token from \`gatehouse tokens create --user YOU\` (ask an administrator)`,
    });
  return new AppError(isErrorCode(code) ? code : 'internal', `Gatehouse server: ${message}`, {
    ...(fix ? { fix } : {}),
  });
}

function unreachable(base: string, error: unknown): AppError {
  const cause = error instanceof Error && error.cause !== undefined ? `: ${messageOf(error.cause)}` : '';
  return new AppError(
    'cluster.unreachable',
    `cannot reach the Gatehouse server ${base}: ${messageOf(error)}${cause}`,
    {
      fix: 'Check the server address and that `gatehouse serve` is running and reachable',
      cause: error,
    },
  );
}

async function jsonOf(base: string, response: Response): Promise<unknown> {
  const type = response.headers.get('content-type') ?? 'no content type';
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw unreachable(base, error);
  }
  try {
    if (type.includes('json')) return JSON.parse(text);
  } catch (error) {
    throw new AppError('internal', `Gatehouse server ${base} answered malformed JSON: ${messageOf(error)}`, {
      fix: `Check that ${base} is the address of \`gatehouse serve\`, not a proxy`,
    });
  }
  throw new AppError(
    'internal',
    `Gatehouse server ${base} answered HTTP ${response.status} with ${type}, not JSON`,
    { fix: `Check that ${base} is the address of \`gatehouse serve\`, not a proxy or a sign-in page` },
  );
}

/** A successful answer, checked against the schema the route declares for its status. */
function declared(base: string, route: RouteDescription, status: number, answer: unknown): unknown {
  const parsed = route.responses[status as 200 | 201]?.safeParse(answer);
  if (parsed?.success) return parsed.data;
  const issue = parsed?.error.issues[0];
  const where = issue ? `: ${issue.path.join('.')} ${issue.message}` : '';
  throw new AppError(
    'internal',
    `Gatehouse server ${base} answered ${route.method.toUpperCase()} ${route.path} with HTTP ${status} outside the API contract${where}`,
    {
      fix: 'Use a gatehouse CLI of the same version as the server (its /openapi.json describes what it answers)',
    },
  );
}

/**
 * A typed client of the Gatehouse API: inputs are checked before they are sent, answers are
 * checked against the contract, and every failure is an AppError with the cause and the fix.
 *
 * @example
 * const client = createClient({ baseUrl: server, token: process.env.GATEHOUSE_TOKEN });
 * const { items } = await client.listRequests({ query: { state: 'pending' } });
 */
export function createClient(options: ClientOptions): ApiClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const send = options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init));
  const call = async (route: RouteDescription, input: AnyInput = {}): Promise<unknown> => {
    const url = urlOf(base, route, input);
    const { body, type } = bodyOf(route, input);
    const headers = {
      // Routes that also serve browsers (sign-in) answer errors as JSON only when asked to.
      accept: 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(type ? { 'content-type': type } : {}),
    };
    const signal = AbortSignal.timeout(options.timeoutMs ?? 30_000);
    const method = route.method.toUpperCase();
    const response = await send(url, {
      method,
      headers,
      signal,
      ...(body === undefined ? {} : { body }),
    }).catch((error: unknown) => {
      throw unreachable(base, error);
    });
    const answer = await jsonOf(base, response);
    if (!response.ok) throw refusal(base, response.status, answer);
    return declared(base, route, response.status, answer);
  };
  const methods = Object.entries(routes).map(([name, route]) => [
    name,
    (input?: AnyInput) => call(route, input),
  ]);
  return Object.fromEntries(methods) as unknown as ApiClient;
}
