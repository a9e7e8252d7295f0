export {
  applicationDefaultCredentials,
  defaultProjectId,
  type GcpAccessToken,
  type GcpAuthPort,
  googleScopes,
} from './auth.js';
export type { GkeCluster, GkeClusterDescription, GkeEndpoints } from './cluster.js';
export { deniedPermission, gkeError } from './errors.js';
export { checkProjects, GkeProvider, type GkeProviderOptions } from './provider.js';
export { type GcpPurpose, type GcpRolesDocument, gcpRoles } from './setup.js';
