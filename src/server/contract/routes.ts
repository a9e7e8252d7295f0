import { accessRoutes } from './access.js';
import { auditRoutes } from './audit.js';
import { reviewRoutes } from './reviews.js';
import { serviceRoutes } from './service.js';
import { signInRoutes } from './sign-in.js';

/** Every route of the API, by the name the client gives its method. */
export const routes = {
  ...serviceRoutes,
  ...signInRoutes,
  ...accessRoutes,
  ...auditRoutes,
  ...reviewRoutes,
} as const;
export type Routes = typeof routes;
export type RouteName = keyof Routes;
