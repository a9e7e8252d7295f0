/**
 * The API contract: every route described once (method, path, inputs, answers, who may call it).
 * The server validates with it, `/openapi.json` is generated from it and `createClient` calls it.
 * It imports zod and the error vocabulary only, so a client never loads the server.
 *
 * @example
 * const client = createClient({ baseUrl: 'https://gatehouse.example', token });
 * const { request } = await client.approveRequest({ params: { id } });
 */
export {
  type AccessRequestView,
  accessFlowSchema,
  accessRequestSchema,
  type IssuedCredentialView,
  type NewRequestBody,
  newRequestSchema,
  requestStateSchema,
} from './access-schemas.js';
export { type ApiClient, type ClientOptions, createClient } from './client.js';
export { type ErrorBody, errorSchema, type InputPart, inputError, isErrorCode } from './errors.js';
export {
  components,
  type ErrorStatus,
  type ParsedBody,
  type ParsedParams,
  type ParsedQuery,
  type ResponseSent,
  type RouteDescription,
  type RouteInput,
  type RouteOutput,
  routerPath,
  type SuccessStatus,
} from './route.js';
export { type RouteName, type Routes, routes } from './routes.js';
export { policyRuleSchema, usageSummarySchema } from './usage-schema.js';
