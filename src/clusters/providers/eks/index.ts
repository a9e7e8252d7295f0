export { EksAccessEntries } from './access-entries.js';
export { type AwsAccountOptions, accountCredentials } from './credentials.js';
export { callerArn, explainEksFailure } from './diagnose.js';
export { awsError, deniedAction } from './errors.js';
export { type EksMappingRequest, eksMappingInstructions, principalOfCaller } from './mapping.js';
export { checkRegions, EksProvider, type EksProviderOptions, locate } from './provider.js';
export { type AwsSetupOptions, awsSetupDocuments, type Capability } from './setup.js';
export { type EksToken, type EksTokenOptions, eksToken, stsHost } from './token.js';
