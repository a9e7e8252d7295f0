export type { Database, Store, StoreDialect, StoreFiles, StoreSignals } from './database.js';
export { uuidPrefixPattern } from './id-prefix.js';
export { openStore, redact, type StoreOptions } from './open.js';
