import type { ClusterListing, EksAccessEntriesPort } from '../clusters/index.js';
import type { KubeClient } from '../kube/index.js';
import type { UsageOf } from '../reviews/index.js';
import type { Store } from '../store/index.js';

/** What the console needs of the server: the same store and cluster ports the API routes use. */
export interface ConsoleOptions {
  readonly store: Store;
  /** Gatehouse's own client for a cluster name; throws `context.unknown` for clusters it does not know. */
  readonly clientFor: (cluster: string) => Promise<KubeClient>;
  readonly accessEntriesFor?: (cluster: string) => Promise<EksAccessEntriesPort | undefined>;
  /** The clusters Gatehouse knows (kubeconfig contexts and cloud accounts), for the Clusters page. */
  readonly listClusters?: () => Promise<ClusterListing>;
  /** Called after every change, with the request's id when one request changed. */
  readonly onChange?: (requestId?: string) => void;
  readonly log?: (line: string) => void;
  /** Where evidence packages are kept (the data directory's evidence folder); the Evidence pages read it. */
  readonly evidenceRoot?: string;
  /**
   * Whether people can sign in through an OpenID Provider. Without one, the sign-in page says how
   * the first administrator gets in (the one-time link) and how to configure a provider.
   */
  readonly signInWithProvider?: boolean;
  /** Usage evidence for review items (the audit-log usage module); absent, usage shows as unknown. */
  readonly usageOf?: UsageOf;
  /** Chromium for PDF reports; default GATEHOUSE_CHROMIUM, else /usr/bin/chromium. */
  readonly chromiumPath?: string;
  /** How often a request's event stream looks for changes (ms); tests shorten it. */
  readonly eventPollMs?: number;
}
