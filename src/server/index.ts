export { type AppOptions, createApp, type SignInSettings } from './app.js';
export { httpStatusFor } from './errors.js';
export { openApiDocument } from './openapi.js';
export { type RunningServer, type ServeOptions, type ServerRuntime, startServer } from './serve.js';
export { type ConsoleSessionOptions, consoleSession, requireSignIn, sessionCookie } from './sign-in/index.js';
