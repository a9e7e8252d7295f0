export type { Database, Store, StoreDialect, StoreFiles } from './database.js';
export { openStore, redact, type StoreOptions } from './open.js';
