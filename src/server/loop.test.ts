import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { PassLoop } from './loop.js';

describe('the pass loop', () => {
  it('runs a pass at a time learnt between passes (wakeAt), well before its interval', async () => {
    const runs: number[] = [];
    const loop = new PassLoop(async () => {
      runs.push(Date.now());
      return undefined;
    }, 60_000);
    loop.kick();
    await sleep(20);
    expect(runs).toHaveLength(1);
    const at = Date.now() + 100;
    loop.wakeAt(new Date(at));
    loop.wakeAt(new Date(at + 10_000)); // a later time never delays the earlier one
    await sleep(250);
    await loop.stop();
    expect(runs).toHaveLength(2);
    expect(runs[1]!).toBeGreaterThanOrEqual(at - 5);
  });

  it('runs the pass the loop itself asked for (the next expiry) before its interval', async () => {
    let calls = 0;
    const loop = new PassLoop(async () => {
      calls++;
      return calls === 1 ? new Date(Date.now() + 50) : undefined;
    }, 60_000);
    loop.kick();
    await sleep(200);
    await loop.stop();
    expect(calls).toBe(2);
  });
});
