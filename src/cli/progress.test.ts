import { describe, expect, it } from 'vitest';
import { ProgressBoard, stageBar } from './progress.js';

describe('ProgressBoard', () => {
  it('prints one line per finished task when nobody watches a terminal', () => {
    let out = '';
    const board = new ProgressBoard(['a', 'b'], (text) => (out += text), false);
    board.update(0, 'collect');
    board.done(1, 'sealed in 1.0s');
    board.done(0, 'failed');
    expect(out).toBe('b: sealed in 1.0s\na: failed\n');
  });

  it('redraws one line per task in place on a terminal', () => {
    let out = '';
    const board = new ProgressBoard(['pod-a', 'b'], (text) => (out += text), true);
    board.done(0, stageBar('collect', 2 * 1048576));
    board.done(1, 'sealed');
    expect(out).toBe(
      '\u001b[2Kpod-a  [########----] collect 2.0 MB\n\u001b[2Kb      waiting\n\u001b[2A\u001b[2Kpod-a  [########----] collect 2.0 MB\n\u001b[2Kb      sealed\n',
    );
  });
});
