import { describe, expect, it } from 'vitest';
import { type RouteDescription, routes } from './contract/index.js';
import { openApiDocument } from './openapi.js';

type Operation = {
  readonly parameters?: readonly { readonly name: string; readonly in: string; readonly required: boolean }[];
  readonly requestBody?: { readonly content: Record<string, unknown> };
  readonly responses: Record<string, { readonly content?: Record<string, { readonly schema: unknown }> }>;
  readonly security?: readonly unknown[];
};
const paths = openApiDocument.paths as Record<string, unknown>;
// The sign-in pages (browser redirects and the CLI's hand-over) are described beside their routes
// in sign-in/openapi.ts, not from the contract; they are checked apart below.
const signInPaths = Object.keys(paths).filter((path) => path.startsWith('/auth/'));
const operations = Object.entries(paths)
  .filter(([path]) => !signInPaths.includes(path))
  .flatMap(([path, item]) =>
    Object.entries(item as Record<string, Operation>).map(([method, operation]) => ({
      path,
      method,
      operation,
    })),
  );

/** Every `$ref` anywhere below a value. */
function references(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(references);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' ? [inner] : references(inner),
  );
}

describe('the generated OpenAPI document', () => {
  it('keeps every operation, parameter and answer the hand-written document had', () => {
    const shape = operations.map(
      ({ path, method, operation }) =>
        `${method} ${path} ${(operation.parameters ?? []).map((parameter) => `${parameter.in}:${parameter.name}`).join(',')} ${Object.keys(operation.requestBody?.content ?? {}).join(',')} ${Object.keys(operation.responses).join(',')}${operation.security ? ' public' : ''}`,
    );
    const errors = '400,401,403,404,409,413';
    expect(shape.sort()).toEqual(
      [
        'get /healthz   200 public',
        'get /openapi.json   200 public',
        'get /v1/whoami   200,401',
        'get /v1/flows   200,401',
        `put /v1/flows  application/yaml 200,${errors}`,
        `get /v1/requests query:state  200,${errors}`,
        `post /v1/requests  application/json 201,${errors}`,
        `get /v1/requests/{id} path:id  200,${errors}`,
        `post /v1/requests/{id}/approve path:id application/json 200,${errors}`,
        `post /v1/requests/{id}/deny path:id application/json 200,${errors}`,
        `post /v1/requests/{id}/revoke path:id  200,${errors}`,
        `post /v1/requests/{id}/extend path:id application/json 200,${errors}`,
        `post /v1/requests/{id}/credential path:id  200,${errors}`,
        `get /v1/audit query:after,query:limit  200,${errors}`,
        'get /v1/audit/verify   200,401,403',
        'get /v1/reviews   200,401',
        `post /v1/reviews  application/json 201,${errors}`,
        `get /v1/reviews/{id} path:id,query:state,query:reviewer,query:namespace,query:severity,query:mine  200,${errors}`,
        `post /v1/reviews/{id}/decisions path:id application/json 200,${errors}`,
        `post /v1/reviews/{id}/reassignments path:id application/json 200,${errors}`,
        `post /v1/reviews/{id}/close path:id  200,${errors}`,
        `get /v1/reviews/{id}/evidence path:id  200,${errors}`,
      ].sort(),
    );
  });

  it('points every reference at a component, and every error answer at the one error shape', () => {
    const schemas = openApiDocument.components.schemas as Record<string, unknown>;
    const missing = references(openApiDocument).filter(
      (reference) => !(reference.replace('#/components/schemas/', '') in schemas),
    );
    expect(missing).toEqual([]);
    const errorAnswers = operations.flatMap(({ operation }) =>
      Object.entries(operation.responses)
        .filter(([status]) => Number(status) >= 400)
        .map(([, answer]) => answer.content?.['application/json']?.schema),
    );
    expect(new Set(errorAnswers.map((schema) => JSON.stringify(schema)))).toEqual(
      new Set([JSON.stringify({ $ref: '#/components/schemas/Error' })]),
    );
    expect(schemas.Error).toMatchObject({
      required: ['error'],
      properties: { error: { required: ['code', 'message', 'fix'] } },
    });
  });

  it('documents each path parameter the path names, required, and no other', () => {
    for (const route of Object.values(routes) as RouteDescription[]) {
      const named = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const operation = (paths[route.path] as Record<string, Operation> | undefined)?.[route.method];
      const inPath = (operation?.parameters ?? []).filter((parameter) => parameter.in === 'path');
      expect({ path: route.path, parameters: inPath }).toEqual({
        path: route.path,
        parameters: named.map((name) => expect.objectContaining({ name, required: true })),
      });
    }
  });

  it('lists the sign-in routes beside the contract routes', () => {
    expect(signInPaths.sort()).toEqual(
      ['/auth/callback', '/auth/cli/token', '/auth/first-admin', '/auth/login', '/auth/logout'].sort(),
    );
  });

  it('describes a new request as the server checks it: required fields and the reason limit', () => {
    expect(openApiDocument.components.schemas.NewRequest).toMatchObject({
      required: ['flow', 'cluster', 'role', 'duration'],
      properties: { reason: { type: 'string', maxLength: 2000 }, breakGlass: { type: 'boolean' } },
    });
  });
});
