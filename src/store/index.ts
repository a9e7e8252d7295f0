export type { Database, Store, StoreDialect, StoreFiles, StoreSignals } from './database.js';
export { openStore, redact, type StoreOptions } from './open.js';
