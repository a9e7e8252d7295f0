export { type AppOptions, createApp } from './app.js';
export { httpStatusFor } from './errors.js';
export { openApiDocument } from './openapi.js';
export { type RunningServer, type ServeOptions, type ServerRuntime, startServer } from './serve.js';
