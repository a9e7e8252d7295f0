/**
 * One status line per task. On a terminal the lines are redrawn in place (a bar per target);
 * elsewhere (logs, CI) each task prints one line when it ends.
 */
export class ProgressBoard {
  readonly #labels: readonly string[];
  readonly #texts: string[];
  readonly #write: (text: string) => void;
  readonly #interactive: boolean;
  #drawnAt = 0;
  #started = false;

  constructor(labels: readonly string[], write: (text: string) => void, interactive: boolean) {
    this.#labels = labels;
    this.#texts = labels.map(() => 'waiting');
    this.#write = write;
    this.#interactive = interactive;
  }

  update(index: number, text: string): void {
    this.#texts[index] = text;
    if (this.#interactive && Date.now() - this.#drawnAt >= 100) this.#draw();
  }

  done(index: number, text: string): void {
    this.#texts[index] = text;
    if (this.#interactive) this.#draw();
    else this.#write(`${this.#labels[index]}: ${text}\n`);
  }

  #draw(): void {
    this.#drawnAt = Date.now();
    const width = Math.max(...this.#labels.map((label) => label.length));
    const lines = this.#labels
      .map((label, index) => `\u001b[2K${label.padEnd(width)}  ${this.#texts[index]}\n`)
      .join('');
    this.#write(`${this.#started ? `\u001b[${this.#labels.length}A` : ''}${lines}`);
    this.#started = true;
  }
}

/** `[#####-----] collect 12.3 MB`: stages advance the bar; bytes show how much came back. */
export function stageBar(stage: string, bytes: number): string {
  const stages = ['api', 'collect', 'sealed'];
  const filled = Math.max(1, (stages.indexOf(stage) + 1) * 4);
  return `[${'#'.repeat(Math.min(filled, 12)).padEnd(12, '-')}] ${stage} ${(bytes / 1048576).toFixed(1)} MB`;
}
