export type { Database, Store, StoreDialect } from './database.js';
export { openStore, redact, type StoreOptions } from './open.js';
