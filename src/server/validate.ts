import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type * as z from 'zod';
import { jsonBody } from './body.js';
import {
  type InputPart,
  inputError,
  type ParsedBody,
  type ParsedParams,
  type ParsedQuery,
  type ResponseSent,
  type RouteDescription,
  type SuccessStatus,
} from './contract/index.js';

function parsed<S extends z.ZodType>(part: InputPart, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) throw inputError(part, result.error.issues);
  return result.data;
}

/** The route's path parameters, checked by its schema. */
export function paramsOf<R extends RouteDescription>(c: Context, route: R): ParsedParams<R> {
  if (!route.params) throw new Error(`route ${route.path} takes no path parameters`);
  return parsed('path', route.params, c.req.param()) as ParsedParams<R>;
}

/** The route's query, checked by its schema; an empty value (`?state=`) counts as absent. */
export function queryOf<R extends RouteDescription>(c: Context, route: R): ParsedQuery<R> {
  if (!route.query) throw new Error(`route ${route.path} takes no query`);
  const given = Object.entries(c.req.query()).filter(([, value]) => value !== '');
  return parsed('query', route.query, Object.fromEntries(given)) as ParsedQuery<R>;
}

/**
 * The route's body, read and checked by its schema. Handlers call it only after their
 * authorization check, so a caller who may not act learns nothing from validation errors.
 */
export async function bodyOf<R extends RouteDescription>(c: Context, route: R): Promise<ParsedBody<R>> {
  if (!route.body) throw new Error(`route ${route.path} takes no body`);
  const raw = route.body.mediaType === 'application/json' ? await jsonBody(c.req) : await c.req.text();
  return parsed('body', route.body.schema, raw) as ParsedBody<R>;
}

/** Answers with a body the contract declares for this route and status (checked by the compiler). */
export function reply<R extends RouteDescription, S extends SuccessStatus<R>>(
  c: Context,
  route: R,
  status: S,
  body: ResponseSent<R, S>,
): Response {
  void route;
  return c.json(body as object, status as ContentfulStatusCode);
}
