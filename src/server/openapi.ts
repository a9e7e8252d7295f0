import * as z from 'zod';
import { components, errorSchema, type RouteDescription, routes } from './contract/index.js';
import { signInPaths } from './sign-in/openapi.js';

const uri = (id: string) => `#/components/schemas/${id}`;

/** JSON Schema for one part of a route; named schemas become references to their component. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): object {
  const id = components.get(schema)?.id;
  if (id) return { $ref: uri(id) };
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, override: tidy });
  return rest;
}

/**
 * Leaves out what zod adds but the document should not say: `readOnly` (TypeScript's readonly means
 * "not changed by the code", not OpenAPI's "never sent"), the regex beside `format: date-time`, and
 * the safe-integer bounds of every integer.
 */
function tidy(context: { readonly jsonSchema: Record<string, unknown> }): void {
  const schema = context.jsonSchema;
  delete schema.readOnly;
  if (schema.format === 'date-time') delete schema.pattern;
  if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
  if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
}

function componentSchemas(): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(components, { io: 'output', uri, override: tidy });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _, $id: __, ...schema }]) => [id, schema]),
  );
}

/** Path or query parameters from an object schema, each with its own description lifted up. */
function parameters(where: 'path' | 'query', schema: z.ZodObject | undefined): object[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const { description, ...fieldSchema } = jsonSchema(field as z.ZodType, 'input') as {
      description?: string;
    };
    return {
      name,
      in: where,
      required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
      schema: fieldSchema,
      ...(description ? { description } : {}),
    };
  });
}

const errorAnswer = {
  description: errorSchema.description ?? 'Error',
  content: { 'application/json': { schema: { $ref: uri('Error') } } },
};

function responses(route: RouteDescription): Record<string, object> {
  const success = Object.entries(route.responses).map(([status, schema]) => [
    status,
    {
      description: schema.description ?? route.summary,
      ...(route.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(route.headers).map(([name, value]) => [name, { schema: { const: value } }]),
            ),
          }
        : {}),
      content: { 'application/json': { schema: jsonSchema(schema, 'output') } },
    },
  ]);
  return Object.fromEntries([...success, ...route.errors.map((status) => [String(status), errorAnswer])]);
}

const roleNote = { admin: ' Requires the admin role.', auditor: ' Requires the auditor or admin role.' };

function operation(route: RouteDescription): object {
  const params = [...parameters('path', route.params), ...parameters('query', route.query)];
  const note = route.auth === 'admin' || route.auth === 'auditor' ? roleNote[route.auth] : '';
  return {
    summary: route.summary,
    ...(route.description || note ? { description: `${route.description ?? ''}${note}`.trim() } : {}),
    ...(route.auth === 'public' ? { security: [] } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: route.body.optional !== true,
            ...(route.body.description ? { description: route.body.description } : {}),
            content: { [route.body.mediaType]: { schema: jsonSchema(route.body.schema, 'input') } },
          },
        }
      : {}),
    responses: responses(route),
  };
}

function paths(): Record<string, Record<string, object>> {
  const byPath: Record<string, Record<string, object>> = {};
  for (const route of Object.values(routes) as RouteDescription[])
    byPath[route.path] = { ...byPath[route.path], [route.method]: operation(route) };
  return byPath;
}

/** The OpenAPI 3.1 description of the HTTP API, served at /openapi.json, generated from the contract. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Gatehouse API',
    version: '1',
    description:
      'Just-in-time access: flows, requests, approvals, credentials and the audit log. Authenticate with `Authorization: Bearer TOKEN` (`gatehouse tokens create --user NAME`). Bodies are at most 64 KB (413 beyond); durations run from 1s to 366d.',
  },
  components: {
    securitySchemes: { token: { type: 'http', scheme: 'bearer' } },
    schemas: componentSchemas(),
  },
  security: [{ token: [] }],
  // The sign-in pages and the CLI's hand-over are described beside their routes.
  paths: { ...paths(), ...signInPaths },
} as const;
