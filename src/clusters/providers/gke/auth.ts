import type { GoogleAuth } from 'google-auth-library';
import { AppError, isAppError, messageOf } from '../../../errors.js';

/** An OAuth access token for Google APIs and GKE control planes, and when it ends if known. */
export interface GcpAccessToken {
  readonly token: string;
  readonly expiresAt?: Date;
}

/**
 * The one thing the GKE provider needs from Google credentials. The default reads Application
 * Default Credentials; tests and embedders pass their own.
 */
export interface GcpAuthPort {
  getAccessToken(): Promise<GcpAccessToken>;
}

/**
 * cloud-platform for the GKE API; userinfo.email so GKE names a service account by its email
 * rather than its numeric ID, which is what RBAC bindings written for it name (as the
 * gke-gcloud-auth-plugin does).
 */
export const googleScopes = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/userinfo.email',
] as const;

/** What to do when no usable Google credentials are found. */
export const adcFix =
  'Run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, or run where a metadata server provides an identity';

/**
 * Application Default Credentials through google-auth-library, loaded on first use so the CLI
 * starts without it. The library caches and refreshes the token, so asking it per request is cheap.
 */
export function applicationDefaultCredentials(): GcpAuthPort {
  let auth: Promise<GoogleAuth> | undefined;
  return {
    async getAccessToken() {
      auth ??= import('google-auth-library').then(
        ({ GoogleAuth }) => new GoogleAuth({ scopes: [...googleScopes] }),
      );
      try {
        const client = await (await auth).getClient();
        const { token } = await client.getAccessToken();
        if (!token) throw new Error('the credentials returned no access token');
        const expiry = client.credentials?.expiry_date;
        return { token, ...(expiry ? { expiresAt: new Date(expiry) } : {}) };
      } catch (error) {
        throw authFailure(error);
      }
    },
  };
}

/**
 * Asks the port for a token, turning any failure into an `auth.unauthorized` AppError: a token
 * that cannot be had is always a credentials problem from the user's side.
 */
export async function accessToken(auth: GcpAuthPort): Promise<GcpAccessToken> {
  try {
    return await auth.getAccessToken();
  } catch (error) {
    throw authFailure(error);
  }
}

/** A credentials failure in the error vocabulary: missing ADC, or ADC Google no longer accepts. */
export function authFailure(error: unknown): AppError {
  if (isAppError(error)) return error;
  const message = messageOf(error);
  if (/could not load the default credentials/i.test(message))
    return new AppError('auth.unauthorized', 'no Google Application Default Credentials found', {
      cause: error,
      fix: adcFix,
    });
  // invalid_grant / invalid_rapt: the refresh token was revoked, expired or needs re-authentication.
  if (/invalid_grant|invalid_rapt|reauth|expired|revoked/i.test(message))
    return new AppError(
      'auth.unauthorized',
      `the Google Application Default Credentials have expired (${message})`,
      {
        cause: error,
        fix: 'Run `gcloud auth application-default login` again, or point GOOGLE_APPLICATION_CREDENTIALS at a valid key',
      },
    );
  return new AppError('auth.unauthorized', `could not get a Google access token: ${message}`, {
    cause: error,
    fix: adcFix,
  });
}

/**
 * The project Application Default Credentials name (GOOGLE_CLOUD_PROJECT, the key file's project,
 * gcloud's configured project, or the metadata server), for `providers add gcp` without --projects.
 */
export async function defaultProjectId(): Promise<string> {
  const { GoogleAuth } = await import('google-auth-library');
  const project = await new GoogleAuth().getProjectId().catch(() => undefined);
  if (project) return project;
  throw new AppError('input.invalid', 'no GCP project given, and Application Default Credentials name none', {
    fix: 'Pass --projects with project IDs (e.g. --projects acme-prod,acme-staging), or set GOOGLE_CLOUD_PROJECT, or run `gcloud config set project ID`',
  });
}
