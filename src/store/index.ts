export type { Database, Store, StoreDialect, StoreSignals } from './database.js';
export { openStore, redact, type StoreOptions } from './open.js';
