export type { AksAuthMode } from './mapping.js';
export { AksProvider } from './provider.js';
export type { AksProviderOptions } from './session.js';
export { type AzureRoleCapability, type AzureRoleOptions, azureRoleDefinition } from './setup.js';
