/**
 * In-cluster agents: one per cluster reached through an outbound tunnel. Only a SHA-256 of each
 * agent's token is kept; the connection columns say whether the cluster is online.
 */
export interface AgentsTable {
  readonly id: string;
  /** The cluster's name in Gatehouse is `agent/<name>`. */
  readonly name: string;
  readonly token_hash: string;
  readonly created_at: string;
  readonly created_by: string;
  readonly rotated_at: string | null;
  readonly revoked_at: string | null;
  /** The kube-system namespace uid the agent reported first; a different one is refused. */
  readonly cluster_uid: string | null;
  readonly kubernetes_version: string | null;
  readonly agent_version: string | null;
  /** Set while connected (to the replica in `replica`), cleared when the connection ends. */
  readonly connected_at: string | null;
  readonly disconnected_at: string | null;
  /** Renewed while connected: a replica that died without saying so leaves it to go stale. */
  readonly last_seen_at: string | null;
  readonly replica: string | null;
  readonly last_error: string | null;
}

/** A `gatehouse serve` replica other replicas forward agent calls to; only a hash of its secret. */
export interface ServerReplicasTable {
  readonly replica: string;
  /** Where the other replicas reach it (its pod address, not the public URL). */
  readonly url: string;
  readonly secret_hash: string;
  readonly seen_at: string;
}
