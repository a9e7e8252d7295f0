/**
 * Runs one async pass at a time: every `intervalMs`, earlier when kicked, or at a due time the
 * pass itself names (the next expiry). A pass never overlaps another.
 */
export class PassLoop {
  readonly #pass: () => Promise<Date | undefined>;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
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
    this.#running = this.#run();
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
    const untilDue = due ? Math.max(0, due.getTime() - Date.now()) : this.#intervalMs;
    this.#timer = setTimeout(() => this.kick(), Math.min(this.#intervalMs, untilDue));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}
