import type { LineOutcome, SkipReason } from './audit-event.js';
import type { MalformedLine } from './ingestion-runs.js';
import type { UsageBatch } from './usage-batch.js';
import type { RunCounts } from './usage-store.js';

const malformedSamples = 10;

/** A tally as plain data, to cross from a parsing worker to the ingest. */
export interface TallyState {
  readonly read: number;
  readonly counted: number;
  readonly skipped: number;
  readonly malformed: number;
  readonly skippedBy: Readonly<Record<SkipReason, number>>;
  readonly malformedLines: readonly MalformedLine[];
  readonly window: { readonly from: number; readonly to: number } | undefined;
}

/** Counts of what the lines were: uses (into the batch), skipped events, malformed lines. */
export class Tally {
  read = 0;
  counted = 0;
  skipped = 0;
  malformed = 0;
  readonly skippedBy: Record<SkipReason, number> = {
    stage: 0,
    denied: 0,
    undecided: 0,
    'not-kubernetes': 0,
  };
  readonly malformedLines: MalformedLine[] = [];
  window: { from: number; to: number } | undefined;

  observe(outcome: LineOutcome, file: string, line: number, batch: UsageBatch): void {
    this.read++;
    switch (outcome.kind) {
      case 'use':
        this.counted++;
        this.widen(outcome.use.at, outcome.use.at);
        batch.add(outcome.use);
        return;
      case 'skipped':
        this.skipped++;
        this.skippedBy[outcome.reason]++;
        this.widen(outcome.at, outcome.at);
        return;
      case 'malformed':
        this.malformed++;
        if (this.malformedLines.length < malformedSamples)
          this.malformedLines.push({ file, line, reason: outcome.reason });
        return;
      default: {
        const unreachable: never = outcome;
        throw new Error(`unhandled outcome ${String(unreachable)}`);
      }
    }
  }

  /**
   * Adds tallies of later lines (the parsing workers' share of the blocks since the last drain):
   * their malformed lines, in line order, fill the first few kept.
   */
  absorb(states: readonly TallyState[]): void {
    for (const state of states) {
      this.read += state.read;
      this.counted += state.counted;
      this.skipped += state.skipped;
      this.malformed += state.malformed;
      for (const reason of Object.keys(this.skippedBy) as SkipReason[])
        this.skippedBy[reason] += state.skippedBy[reason];
      if (state.window) this.widen(state.window.from, state.window.to);
    }
    const samples = states.flatMap((state) => state.malformedLines).sort((a, b) => a.line - b.line);
    for (const sample of samples) {
      if (this.malformedLines.length >= malformedSamples) break;
      this.malformedLines.push(sample);
    }
  }

  state(): TallyState {
    return {
      ...this.counts(),
      skippedBy: { ...this.skippedBy },
      malformedLines: [...this.malformedLines],
      window: this.window ? { ...this.window } : undefined,
    };
  }

  counts(): RunCounts {
    return { read: this.read, counted: this.counted, skipped: this.skipped, malformed: this.malformed };
  }

  private widen(from: number, to: number): void {
    if (!this.window) this.window = { from, to };
    else {
      if (from < this.window.from) this.window.from = from;
      if (to > this.window.to) this.window.to = to;
    }
  }
}
