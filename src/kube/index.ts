export {
  type AccessAnswer,
  canI,
  type ResourceAttributes,
  type SubjectAccessSpec,
  subjectCan,
} from './access-review.js';
export {
  type BearerClusterOptions,
  type BearerToken,
  bearerKubeConfig,
  renewingToken,
  type TokenSource,
} from './bearer.js';
export { KubeClient, type KubeRequest, type KubeTransport } from './client.js';
export { clientNode } from './client-node.js';
export { type ForbiddenFacts, parseForbidden } from './errors.js';
export { type ExecOptions, type ExecResult, execInContainer } from './exec.js';
export { type KubeIdentity, whoAmI } from './identity.js';
export {
  type KubeconfigSource,
  kubeconfigFiles,
  type LoadedKubeconfig,
  loadKubeconfig,
  parseKubeconfigFile,
  parseKubeconfigText,
  readKubeconfig,
  selectContext,
} from './kubeconfig.js';
export { isTransient, type ListOptions, type ListResult, listAll, withRetries } from './list.js';
export { getServerVersion, type ServerVersion } from './version.js';
