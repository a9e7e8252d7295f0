import { describe, expect, it } from 'vitest';
import type { Indicator, ProcessInfo, TimelineEvent } from '../forensics/index.js';
import { bucketWidths, histogramOf, maxBuckets } from './evidence-chart.js';
import { type ProcessNode, ProcessTree, processForest } from './evidence-processes.js';

const event = (datetime: string, source = 'bodyfile'): TimelineEvent => ({
  datetime,
  timestamp_desc: 'Content Modification Time',
  message: 'm',
  source,
});

const process = (pid: number, ppid: number): ProcessInfo => ({
  pid,
  ppid,
  name: `p${pid}`,
  state: 'S',
  startTicks: 0,
  uid: 0,
  cmdline: [],
  exe: '',
  cwd: '',
  envNames: [],
  fds: [],
});

/** The forest as nested pid lists, to compare shapes at a glance. */
const shape = (nodes: readonly ProcessNode[]): unknown[] =>
  nodes.map((node) => (node.children.length ? [node.process.pid, shape(node.children)] : node.process.pid));

describe('the timeline histogram', () => {
  it('picks the smallest round bucket that keeps the bars under the limit, aligned on its multiples', () => {
    const histogram = histogramOf([
      event('2026-11-30T10:00:10Z'),
      event('2026-11-30T10:00:50Z', 'processes'),
      event('2026-11-30T10:20:05Z', '/var/log/app.log'),
    ]);
    expect(histogram?.width).toBe(60_000);
    expect(histogram?.buckets).toHaveLength(21);
    expect(new Date(histogram?.buckets[0]?.start ?? 0).toISOString()).toBe('2026-11-30T10:00:00.000Z');
    expect(histogram?.buckets[0]?.counts).toEqual({ files: 1, processes: 1, logs: 0 });
    expect(histogram?.buckets[20]?.counts).toEqual({ files: 0, processes: 0, logs: 1 });
    // The quiet minutes between stay on the chart as empty buckets.
    expect(histogram?.buckets.slice(1, 20).every((bucket) => bucket.total === 0)).toBe(true);
    expect(histogram?.highest).toBe(2);
  });

  it('spans years of file times in yearly bars, and counts every event once', () => {
    const events = [
      event('1999-01-01T00:00:00Z'),
      event('2026-11-30T10:00:00Z'),
      event('2026-11-30T10:00:01Z'),
    ];
    const histogram = histogramOf(events);
    expect(histogram?.buckets.length).toBeLessThanOrEqual(maxBuckets);
    expect(bucketWidths).toContain(histogram?.width);
    expect(histogram?.buckets.reduce((sum, bucket) => sum + bucket.total, 0)).toBe(3);
  });

  it('draws nothing for no events, and copes with more events than a call takes arguments', () => {
    expect(histogramOf([])).toBeUndefined();
    const many = Array.from({ length: 300_000 }, (_, index) =>
      event(new Date(1_764_496_800_000 + index * 1000).toISOString()),
    );
    const histogram = histogramOf(many);
    expect(histogram?.buckets.reduce((sum, bucket) => sum + bucket.total, 0)).toBe(300_000);
  });
});

describe('the process tree', () => {
  it('nests processes under their parents, roots being those whose parent is not listed', () => {
    const forest = processForest(
      [process(1, 0), process(12, 1), process(13, 12), process(7, 1), process(40, 99)],
      [],
    );
    expect(shape(forest)).toEqual([[1, [7, [12, [13]]]], 40]);
  });

  it('places each process once whatever the container claims: duplicates, its own parent, parent loops', () => {
    const forest = processForest(
      [process(5, 5), process(8, 9), process(9, 8), process(3, 0), process(3, 5), process(4, 3)],
      [],
    );
    const pids: number[] = [];
    const walk = (nodes: readonly ProcessNode[]) => {
      for (const node of nodes) {
        pids.push(node.process.pid);
        walk(node.children);
      }
    };
    walk(forest);
    expect(pids.sort((a, b) => a - b)).toEqual([3, 4, 5, 8, 9]);
  });

  it('hangs each indicator on the process it names, and no other', () => {
    const indicator = (where: string): Indicator => ({
      id: 'deleted-binary',
      severity: 'high',
      title: 'process runs a deleted binary',
      reason: 'exe /tmp/x (deleted)',
      where,
      why: '',
    });
    const [root] = processForest(
      [process(1, 0), process(13, 1)],
      [indicator('process 13'), indicator('/tmp/x:1')],
    );
    expect(root?.indicators).toEqual([]);
    expect(root?.children[0]?.indicators.map((found) => found.where)).toEqual(['process 13']);
  });

  it('draws a parent chain as deep as a hostile container claims (30,000 processes) without running out of stack', async () => {
    const chain = Array.from({ length: 30_000 }, (_, at) => process(at + 1, at));
    const forest = processForest(chain, []);
    let depth = 0;
    for (let node = forest[0]; node; node = node.children[0]) depth++;
    expect(depth).toBe(30_000);
    const html = await (<ProcessTree processes={chain} indicators={[]} />).toString();
    expect(html).toContain('The first 1000 of 30000 processes');
    expect(html.match(/class="pid"/g)?.length).toBe(1000);
  });
});
