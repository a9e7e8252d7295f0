/**
 * Runs one async pass at a time: every `intervalMs`, earlier when kicked, or at a due time the
 * pass itself names (the next expiry). A pass never overlaps another.
 */
export class PassLoop {
  readonly #pass: () => Promise<Date | undefined>;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  /** When the timer fires (epoch ms), while one is set. */
  #dueAt: number | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = false;

  constructor(pass: () => Promise<Date | undefined>, intervalMs: number) {
    this.#pass = pass;
    this.#intervalMs = intervalMs;
  }

  /** Runs a pass now (or right after the current one). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#dueAt = undefined;
    this.#running = this.#run();
  }

  /** Makes sure a pass runs at `at` at the latest (e.g. an expiry learnt outside a pass). */
  wakeAt(at: Date): void {
    if (this.#stopped || this.#running) return; // the running pass schedules from the store
    const untilDue = Math.max(0, at.getTime() - Date.now());
    if (this.#dueAt !== undefined && this.#dueAt <= at.getTime()) return;
    clearTimeout(this.#timer);
    this.#dueAt = at.getTime();
    this.#timer = setTimeout(() => this.kick(), untilDue);
  }

  async #run(): Promise<void> {
    let due: Date | undefined;
    try {
      due = await this.#pass();
    } finally {
      this.#running = undefined;
    }
    if (this.#stopped) return;
    if (this.#again) {
      this.#again = false;
      this.kick();
      return;
    }
    const wait = Math.min(this.#intervalMs, due ? Math.max(0, due.getTime() - Date.now()) : this.#intervalMs);
    this.#dueAt = Date.now() + wait;
    this.#timer = setTimeout(() => this.kick(), wait);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}
