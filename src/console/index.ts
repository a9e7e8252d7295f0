export { contentSecurityPolicy } from './http.js';
export type { ConsoleOptions } from './options.js';
export { consoleRoutes } from './routes.js';
