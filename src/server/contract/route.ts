import * as z from 'zod';

/**
 * The named schemas of the API: each becomes `#/components/schemas/NAME` in the OpenAPI document,
 * so the document names a shape once and points at it wherever a route uses it.
 */
export const components = z.registry<{ readonly id: string }>();

/** Registers a schema under its component name and returns it unchanged. */
export function named<S extends z.ZodType>(id: string, schema: S): S {
  components.add(schema, { id });
  return schema;
}

/**
 * Who may call a route. `public`: anyone; `signed-in`: any valid token; `admin` and `auditor`:
 * a platform role (the capability checks it; the contract says it so callers know in advance).
 */
export type RouteAuth = 'public' | 'signed-in' | 'admin' | 'auditor';

/** The statuses a route answers with the shared error shape. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 500 | 502 | 503 | 504;

export interface RouteBody<S extends z.ZodType = z.ZodType> {
  readonly mediaType: 'application/json' | 'application/yaml';
  readonly schema: S;
  readonly description?: string;
  /** The server also takes the request with no body at all (the document says it is optional). */
  readonly optional?: boolean;
}

/** One HTTP route, described once: the server validates with it, the document and the client come from it. */
export interface RouteDescription {
  readonly method: 'get' | 'post' | 'put';
  /** OpenAPI style: `/v1/requests/{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly auth: RouteAuth;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: RouteBody;
  /** The successful answers, by status. */
  readonly responses: Readonly<Partial<Record<200 | 201, z.ZodType>>>;
  readonly errors: readonly ErrorStatus[];
  /** Response headers the route always sets, for the document. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Keeps a route's literal types (its schemas) while checking it is a route. */
export function defineRoute<const R extends RouteDescription>(route: R): R {
  return route;
}

/** What a caller passes: the path parameters, query and body the route takes, typed from its schemas. */
export type RouteInput<R extends RouteDescription> = (R extends { params: infer P extends z.ZodType }
  ? { readonly params: z.input<P> }
  : unknown) &
  (R extends { query: infer Q extends z.ZodType } ? { readonly query?: z.input<Q> } : unknown) &
  (R extends { body: RouteBody<infer B> } ? { readonly body: z.input<B> } : unknown);

/** What the server hands a handler after validation. */
export type ParsedParams<R extends RouteDescription> = R extends { params: infer P extends z.ZodType }
  ? z.output<P>
  : never;
export type ParsedQuery<R extends RouteDescription> = R extends { query: infer Q extends z.ZodType }
  ? z.output<Q>
  : never;
export type ParsedBody<R extends RouteDescription> = R extends { body: RouteBody<infer B> }
  ? z.output<B>
  : never;

/** The statuses a route answers successfully. */
export type SuccessStatus<R extends RouteDescription> = keyof R['responses'] & (200 | 201);

/** The body of a successful answer, as the server sends it (input) or a client reads it (output). */
export type ResponseSent<
  R extends RouteDescription,
  S extends SuccessStatus<R>,
> = R['responses'][S] extends z.ZodType ? z.input<R['responses'][S]> : never;
export type RouteOutput<R extends RouteDescription> = {
  [S in SuccessStatus<R>]: R['responses'][S] extends z.ZodType ? z.output<R['responses'][S]> : never;
}[SuccessStatus<R>];

/** The path as Hono routes it below a mount point: `/v1/requests/{id}` under `/v1` is `/requests/:id`. */
export function routerPath(route: RouteDescription, mount: string): string {
  if (!route.path.startsWith(mount)) throw new Error(`route ${route.path} is not below ${mount}`);
  return route.path.slice(mount.length).replace(/\{(\w+)\}/g, ':$1') || '/';
}
