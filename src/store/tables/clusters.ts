/** Cloud accounts Gatehouse lists clusters from. Settings only: credentials come from the cloud's own chain. */
export interface ClusterProvidersTable {
  readonly name: string;
  /** aws | azure | gcp */
  readonly kind: string;
  /** JSON settings of the kind (regions, role ARNs, subscriptions, projects…), never secrets. */
  readonly config: string;
  readonly created_at: string;
  readonly created_by: string;
}
