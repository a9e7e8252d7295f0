import type { Indicator, IndicatorSeverity, ProcessSummary } from '../forensics/index.js';
import { Empty } from './components.js';
import { severities } from './evidence-data.js';
import { clip } from './evidence-sections.js';

export interface ProcessNode {
  readonly process: ProcessSummary;
  readonly children: readonly ProcessNode[];
  /** The indicators that name this process (`where: process <pid>`), worst first. */
  readonly indicators: readonly Indicator[];
}

/** The most processes drawn; a container running more is shown in part, and says so. */
export const processLimit = 1000;

/**
 * The processes as a forest by parent pid. The input is container data: a pid listed twice, a
 * parent loop or a process that is its own parent cannot hang or hide anything, because every
 * process is placed once, and those whose parent chain never reaches a root become roots.
 */
export function processForest(
  processes: readonly ProcessSummary[],
  indicators: readonly Indicator[],
): ProcessNode[] {
  const byPid = new Map<number, ProcessSummary>();
  for (const process of processes) if (!byPid.has(process.pid)) byPid.set(process.pid, process);
  const children = new Map<number, ProcessSummary[]>();
  for (const process of byPid.values()) {
    const siblings = children.get(process.ppid) ?? [];
    siblings.push(process);
    children.set(process.ppid, siblings);
  }
  const named = new Map<number, Indicator[]>();
  for (const indicator of indicators) {
    const pid = /^process (\d+)$/.exec(indicator.where)?.[1];
    if (pid !== undefined) named.set(Number(pid), [...(named.get(Number(pid)) ?? []), indicator]);
  }
  // Built with an explicit stack, not recursion: a container can claim a parent chain of any depth.
  const placed = new Set<number>();
  const build = (top: ProcessSummary): ProcessNode => {
    const made = (process: ProcessSummary) => ({
      process,
      children: [] as ProcessNode[],
      indicators: named.get(process.pid) ?? [],
    });
    const root = made(top);
    placed.add(top.pid);
    const pending = [root];
    for (let node = pending.pop(); node; node = pending.pop()) {
      const below = (children.get(node.process.pid) ?? []).filter((child) => !placed.has(child.pid));
      for (const child of below.sort((a, b) => a.pid - b.pid)) {
        placed.add(child.pid);
        const childNode = made(child);
        node.children.push(childNode);
        pending.push(childNode);
      }
    }
    return root;
  };
  const ordered = [...byPid.values()].sort((a, b) => a.pid - b.pid);
  const roots = ordered
    .filter((process) => process.ppid === process.pid || !byPid.has(process.ppid))
    .map(build);
  // What is left sits in a parent loop: show it rather than lose it.
  for (const process of ordered) if (!placed.has(process.pid)) roots.push(build(process));
  return roots;
}

function worst(indicators: readonly Indicator[]): IndicatorSeverity | undefined {
  return severities.find((severity) => indicators.some((indicator) => indicator.severity === severity));
}

function ProcessLine(props: { node: ProcessNode }) {
  const { process, indicators } = props.node;
  const severity = worst(indicators);
  const command = process.cmdline.length > 0 ? process.cmdline.join(' ') : `[${process.name}]`;
  return (
    <div class={severity ? `process flagged-${severity}` : 'process'}>
      <span class="pid">{String(process.pid)}</span> <strong>{clip(process.name, 64)}</strong>{' '}
      <code class="wrap">{clip(command, 240)}</code>
      <span class="process-meta">
        {` uid ${process.uid < 0 ? '?' : process.uid}${process.uid === 0 ? ' (root)' : ''}`}
        {process.exe ? ` · exe ${clip(process.exe, 160)}` : ''}
        {process.cwd ? ` · cwd ${clip(process.cwd, 120)}` : ''}
      </span>
      {indicators.map((indicator) => (
        <span class={`badge badge-${indicator.severity}`}>{`${indicator.severity}: ${indicator.title}`}</span>
      ))}
    </div>
  );
}

function Branch(props: { nodes: readonly ProcessNode[]; budget: { left: number } }) {
  return (
    <ul class="process-tree">
      {props.nodes.map((node) => {
        if (props.budget.left <= 0) return null;
        props.budget.left--;
        return (
          <li>
            <ProcessLine node={node} />
            {node.children.length > 0 ? <Branch nodes={node.children} budget={props.budget} /> : null}
          </li>
        );
      })}
    </ul>
  );
}

/** The process tree of a package: who started whom, with the indicators that name a process. */
export function ProcessTree(props: {
  processes: readonly ProcessSummary[];
  indicators: readonly Indicator[];
}) {
  if (props.processes.length === 0)
    return <Empty>The package holds no process listing (the collector could not read /proc).</Empty>;
  const forest = processForest(props.processes, props.indicators);
  const shown = Math.min(props.processes.length, processLimit);
  return (
    <>
      <p class="lead">
        {props.processes.length > processLimit
          ? `The first ${processLimit} of ${props.processes.length} processes, by parent.`
          : `${props.processes.length} processes, by parent; flagged ones carry their indicators.`}
      </p>
      <Branch nodes={forest} budget={{ left: shown }} />
    </>
  );
}
