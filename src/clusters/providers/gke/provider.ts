import type { KubeConfig } from '@kubernetes/client-node';
import { AppError, describeError } from '../../../errors.js';
import { bearerKubeConfig } from '../../../kube/index.js';
import type { ClusterListing, ClusterProvider, ClusterRef } from '../../types.js';
import { type GkeApi, gkeApi } from './api.js';
import { accessToken, applicationDefaultCredentials, type GcpAuthPort } from './auth.js';
import {
  clusterRef,
  describeCluster,
  type GkeCluster,
  type GkeClusterDescription,
  locate,
} from './cluster.js';
import { gkeError } from './errors.js';
import { explainUnreachable } from './explain.js';

export interface GkeProviderOptions {
  /** Project IDs to list clusters in, each listed in parallel. */
  readonly projects: readonly string[];
  /** A region or zone, or `-` (the default) for every location. */
  readonly location?: string;
  /** Where Google access tokens come from; Application Default Credentials by default. */
  readonly auth?: GcpAuthPort;
  /** The GKE API base URL; a local server answering recorded responses in tests. */
  readonly apiEndpoint?: string;
}

// Project IDs: 6–30 lowercase letters, digits and hyphens, optionally `domain.com:`-scoped.
const projectPattern = /^([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** Checks project IDs before any call, so a display name or typo is named instead of a 403. */
export function checkProjects(projects: readonly string[]): void {
  if (projects.length === 0)
    throw new AppError('input.invalid', 'no GCP project given', {
      fix: 'Pass --projects with project IDs, e.g. --projects acme-prod,acme-staging',
    });
  const bad = projects.filter((project) => !projectPattern.test(project));
  if (bad.length > 0)
    throw new AppError('input.invalid', `not a GCP project ID: ${bad.join(', ')}`, {
      fix: 'Use project IDs (lowercase, e.g. acme-prod-123456), not display names; `gcloud projects list` shows them',
    });
}

/**
 * GKE clusters of one or more Google Cloud projects, connected with Google access tokens in
 * process (no gcloud or gke-gcloud-auth-plugin needed).
 *
 * @example
 * const provider = new GkeProvider({ projects: ['acme-prod', 'acme-staging'] });
 * const { clusters, errors } = await provider.listClusters();
 * const config = await provider.connect(clusters[0]!);
 */
export class GkeProvider implements ClusterProvider {
  readonly kind = 'gke';
  readonly options: GkeProviderOptions;
  readonly #auth: GcpAuthPort;
  readonly #api: GkeApi;

  constructor(options: GkeProviderOptions) {
    checkProjects(options.projects);
    this.options = options;
    this.#auth = options.auth ?? applicationDefaultCredentials();
    this.#api = gkeApi({
      auth: this.#auth,
      ...(options.apiEndpoint ? { apiEndpoint: options.apiEndpoint } : {}),
    });
  }

  /** Every project at once; a project that fails, and a zone GKE could not read, is an error entry. */
  async listClusters(): Promise<ClusterListing> {
    const projects = this.options.projects;
    const results = await Promise.allSettled(projects.map((project) => this.#listProject(project)));
    const clusters: ClusterRef[] = [];
    const errors: { source: string; message: string }[] = [];
    results.forEach((result, index) => {
      if (result.status === 'fulfilled') {
        clusters.push(...result.value.clusters);
        errors.push(...result.value.errors);
      } else errors.push({ source: `gke ${projects[index]}`, message: describeError(result.reason) });
    });
    return { clusters, errors };
  }

  async #listProject(project: string): Promise<ClusterListing> {
    const location = this.options.location ?? '-';
    const listing = await this.#api.listClusters(project, location).catch((error: unknown) => {
      const doing = `listing GKE clusters in project "${project}"`;
      throw gkeError(error, { doing, project, permission: 'container.clusters.list' });
    });
    return {
      clusters: listing.clusters.map((cluster) => clusterRef(project, cluster)),
      // GKE answers with the zones it could not read instead of failing the whole list.
      errors: listing.missingZones.map((zone) => ({
        source: `gke ${project} ${zone}`,
        message: `GKE could not read zone ${zone}; clusters there are missing from this list`,
      })),
    };
  }

  async #getCluster(ref: ClusterRef): Promise<{ project: string; cluster: GkeCluster }> {
    const { project, location, name } = locate(ref);
    try {
      return { project, cluster: await this.#api.getCluster(project, location, name) };
    } catch (error) {
      const doing = `reading GKE cluster ${name} in ${project}/${location}`;
      throw gkeError(error, { doing, project, permission: 'container.clusters.get' });
    }
  }

  async describe(ref: ClusterRef): Promise<GkeClusterDescription> {
    const { project, cluster } = await this.#getCluster(ref);
    return describeCluster(project, cluster);
  }

  /** A KubeConfig for the cluster endpoint and CA whose bearer token comes from the auth port. */
  async connect(ref: ClusterRef): Promise<KubeConfig> {
    const { project, cluster } = await this.#getCluster(ref);
    const { endpoint, status } = describeCluster(project, cluster);
    if (!endpoint)
      throw new AppError(
        'cluster.unreachable',
        `GKE cluster ${ref.name} has no endpoint yet (status ${status})`,
        {
          fix: 'Wait until the cluster is RUNNING, then run the command again',
        },
      );
    const caData = cluster.masterAuth?.clusterCaCertificate;
    return bearerKubeConfig({
      name: ref.name,
      server: endpoint,
      ...(caData ? { caData } : {}),
      tokens: async () => {
        const { token, expiresAt } = await accessToken(this.#auth);
        // No expiry from the port: ask it again for every request (GoogleAuth caches its token).
        return { token, expiresAt: expiresAt ?? new Date(0) };
      },
    });
  }

  /** Restates a connection failure to a cluster whose endpoint is private or IP-restricted. */
  readonly explainFailure = async (ref: ClusterRef, error: AppError): Promise<AppError> => {
    if (error.code !== 'cluster.unreachable' && error.code !== 'cluster.timeout') return error;
    const description = await this.describe(ref).catch(() => undefined);
    return description ? explainUnreachable(description, error) : error;
  };

  /** Closes the SDK client, if one was made. */
  async close(): Promise<void> {
    await this.#api.close();
  }
}
