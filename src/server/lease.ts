import type { Store } from '../store/index.js';

export interface LeaseOptions {
  /** What the lease is for, e.g. `reconciler`. */
  readonly name: string;
  /** Who asks: stable across restarts of the same replica, so a restart takes its lease back at once. */
  readonly holder: string;
  /** How long a lease lasts without renewal: another replica takes over after that. */
  readonly ttlMs: number;
  readonly now?: () => Date;
}

/**
 * A lease in the store, so that among several `gatehouse serve` replicas over one database only
 * one runs the reconciler and webhook delivery at a time. Correctness never depends on it (every
 * pass is idempotent and state changes are conditional), it only saves the duplicate work. Time is
 * each replica's own clock: replicas whose clocks differ by more than the TTL may overlap.
 */
export class Lease {
  readonly #store: Store;
  readonly #options: LeaseOptions;
  #heldUntil = 0;

  constructor(store: Store, options: LeaseOptions) {
    this.#store = store;
    this.#options = options;
  }

  #now(): Date {
    return (this.#options.now ?? (() => new Date()))();
  }

  /** Takes the lease if it is free, expired or already ours, and renews it; true when we hold it. */
  async acquire(): Promise<boolean> {
    const now = this.#now();
    const until = new Date(now.getTime() + this.#options.ttlMs);
    const { name, holder } = this.#options;
    const values = { holder, expires_at: until.toISOString(), updated_at: now.toISOString() };
    const updated = await this.#store.db
      .updateTable('leases')
      .set(values)
      .where('name', '=', name)
      .where((where) => where.or([where('holder', '=', holder), where('expires_at', '<', now.toISOString())]))
      .executeTakeFirst();
    let held = Number(updated.numUpdatedRows) === 1;
    if (!held) {
      const inserted = await this.#store.db
        .insertInto('leases')
        .values({ name, ...values })
        .onConflict((conflict) => conflict.column('name').doNothing())
        .executeTakeFirst();
      held = Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
    }
    this.#heldUntil = held ? until.getTime() : 0;
    return held;
  }

  /** Whether the last acquire succeeded and its term has not run out. */
  held(): boolean {
    return this.#heldUntil > this.#now().getTime();
  }

  /** Gives the lease up at once (on shutdown), so another replica need not wait for the TTL. */
  async release(): Promise<void> {
    this.#heldUntil = 0;
    await this.#store.db
      .updateTable('leases')
      .set({ expires_at: new Date(0).toISOString(), updated_at: this.#now().toISOString() })
      .where('name', '=', this.#options.name)
      .where('holder', '=', this.#options.holder)
      .execute();
  }

  /** Who holds the lease now, if anyone. */
  async holder(): Promise<string | undefined> {
    const row = await this.#store.db
      .selectFrom('leases')
      .select(['holder', 'expires_at'])
      .where('name', '=', this.#options.name)
      .executeTakeFirst();
    return row && row.expires_at > this.#now().toISOString() ? row.holder : undefined;
  }
}
