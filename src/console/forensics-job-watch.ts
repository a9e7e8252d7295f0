import { jobChannel } from '../forensics/index.js';
import type { Store } from '../store/index.js';

/**
 * Wakes a job's event streams when the job changes on any replica: through the store's signals
 * (PostgreSQL NOTIFY) at once, else (SQLite, or a signal lost) at the next poll. One listening
 * connection serves every open stream of this server and is given back when the last one ends.
 */
export class JobWatch {
  readonly #waiters = new Map<string, Set<() => void>>();
  #stop: Promise<() => Promise<void>> | undefined;

  constructor(
    private readonly store: Store,
    private readonly pollMs: number,
  ) {}

  /** Resolves when the job may have changed, or after the poll interval. */
  async next(id: string): Promise<void> {
    this.#listen();
    await new Promise<void>((resolve) => {
      const waiters = this.#waiters.get(id) ?? new Set();
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0) this.#waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      waiters.add(done);
      this.#waiters.set(id, waiters);
    });
  }

  /** Called when a stream ends: the listening connection goes back once no stream waits. */
  release(): void {
    if (this.#waiters.size > 0 || !this.#stop) return;
    const stopping = this.#stop;
    this.#stop = undefined;
    void stopping.then((stop) => stop()).catch(() => undefined);
  }

  #listen(): void {
    const signals = this.store.signals;
    if (!signals || this.#stop) return;
    this.#stop = signals.listen(jobChannel, (payload) => this.#wake(payload));
    // A listener that cannot start leaves the streams polling; the next stream tries again.
    this.#stop.catch(() => {
      this.#stop = undefined;
    });
  }

  #wake(id: string): void {
    const targets = id ? [this.#waiters.get(id)] : [...this.#waiters.values()];
    for (const waiters of targets) for (const wake of [...(waiters ?? [])]) wake();
  }
}
