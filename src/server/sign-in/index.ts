// Sign-in at the HTTP edge: the /auth routes, the console's session middleware, cookie policy.
export { type ConsoleSessionOptions, consoleSession, requireSignIn } from './console-session.js';
export { type CookiePolicy, cookieName, sessionCookie, signInCookie } from './cookies.js';
export { type SignInRoutesOptions, signInRoutes } from './routes.js';
