import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../errors.js';
import type { CustodyRecord, ManifestItem } from '../evidence/types.js';
import {
  type BodyfileEntry,
  type Connection,
  type ProcessInfo,
  parseConnections,
  parseProcesses,
  parseStatLines,
} from './parse.js';

/** A sealed package opened for reading: its manifest, custody record and files. */
export interface OpenPackage {
  readonly root: string;
  readonly items: readonly ManifestItem[];
  readonly custody: CustodyRecord;
  /** Text of a collected item by source path or artifact output id; '' when absent. */
  text(sourceOrOutput: string): string;
  files(predicate: (item: ManifestItem) => boolean): { item: ManifestItem; text: string }[];
}

export function openPackage(root: string): OpenPackage {
  if (!existsSync(join(root, 'manifest.json'))) {
    throw new AppError('not-found', `${root} is not an evidence package`, {
      fix: 'Give a package id from `gatehouse evidence list`',
    });
  }
  const { items } = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as {
    items: ManifestItem[];
  };
  const custody = JSON.parse(readFileSync(join(root, 'custody.json'), 'utf8')) as CustodyRecord;
  const read = (item: ManifestItem | undefined) =>
    item?.path ? readFileSync(join(root, item.path), 'utf8') : '';
  return {
    root,
    items,
    custody,
    text: (key) => read(items.find((item) => item.path === `live/${key}.out` || item.source === key)),
    files: (predicate) =>
      items.filter((item) => item.path && predicate(item)).map((item) => ({ item, text: read(item) })),
  };
}

export interface TimelineEvent {
  readonly datetime: string;
  readonly timestamp_desc: string;
  readonly message: string;
  readonly source: string;
}

export interface Facts {
  readonly processes: ProcessInfo[];
  readonly connections: Connection[];
  readonly files: BodyfileEntry[];
  /** When the container's kernel booted, from the collector's clock and uptime. */
  readonly bootTime: number | undefined;
}

export function factsOf(pkg: OpenPackage): Facts {
  const [clock, uptime] = pkg.text('live.date').split('\n');
  const now = Date.parse(clock ?? '');
  const seconds = Number((uptime ?? '').split(' ')[0]);
  return {
    processes: parseProcesses(pkg.text('live.processes')),
    connections: parseConnections(pkg.text('live.net')),
    files: parseStatLines(pkg.text('fs.bodyfile')),
    bootTime: Number.isFinite(now) && Number.isFinite(seconds) ? now / 1000 - seconds : undefined,
  };
}

// Times come from the container's own output: one no date can hold (1e300) is left out, not thrown on.
const iso = (epochSeconds: number): string | undefined => {
  const date = new Date(epochSeconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
};
const isoTimestamp = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))\s+(.*)$/;

/** Filesystem MACB times, process starts, timestamped log lines and shell history, in order. */
export function buildTimeline(pkg: OpenPackage, facts = factsOf(pkg)): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const file of facts.files) {
    const kinds: [number, string][] = [
      [file.mtime, 'Content Modification Time'],
      [file.atime, 'Last Access Time'],
      [file.ctime, 'Metadata Change Time'],
    ];
    for (const [time, kind] of kinds) {
      const datetime = time > 0 ? iso(time) : undefined;
      if (datetime)
        events.push({
          datetime,
          timestamp_desc: kind,
          message: `${file.name} (${file.mode} ${file.size} bytes)`,
          source: 'bodyfile',
        });
    }
  }
  if (facts.bootTime !== undefined) {
    for (const process of facts.processes) {
      const datetime = iso(facts.bootTime + process.startTicks / 100);
      if (datetime)
        events.push({
          datetime,
          timestamp_desc: 'Process Start',
          message: `pid ${process.pid} (${process.name}) ${process.cmdline.join(' ')} [exe ${process.exe}]`,
          source: 'processes',
        });
    }
  }
  for (const { item, text } of pkg.files(
    (candidate) => candidate.artifact === 'files.logs' || candidate.source.startsWith('api logs'),
  )) {
    for (const line of text.split('\n')) {
      const match = isoTimestamp.exec(line);
      if (match && !Number.isNaN(Date.parse(match[1]!)))
        events.push({
          datetime: new Date(match[1]!).toISOString(),
          timestamp_desc: 'Log Entry',
          message: match[2]!.slice(0, 2000),
          source: item.source,
        });
    }
  }
  for (const { item, text } of pkg.files((candidate) => candidate.artifact === 'files.history')) {
    // ash and sh histories carry no times: each line is placed at the file's last modification.
    let stamp = item.mtime;
    for (const line of text.split('\n')) {
      if (/^#\d{9,11}$/.test(line)) {
        stamp = iso(Number(line.slice(1)));
        continue;
      }
      if (line.trim() && stamp)
        events.push({
          datetime: stamp,
          timestamp_desc: 'Shell History',
          message: line.slice(0, 2000),
          source: item.source,
        });
    }
  }
  return events.sort((a, b) => a.datetime.localeCompare(b.datetime));
}

/** One Timesketch JSONL line: `message`, `datetime`, `timestamp_desc`, plus `timestamp` in microseconds. */
export function timesketchLine(event: TimelineEvent): string {
  return `${JSON.stringify({ ...event, timestamp: Date.parse(event.datetime) * 1000 })}\n`;
}

export function toTimesketchJsonl(events: readonly TimelineEvent[]): string {
  return events.map(timesketchLine).join('');
}

export const timelineCsvHeader = 'message,datetime,timestamp_desc,source\r\n';

function csvField(raw: string): string {
  // Container output is hostile: a spreadsheet would run a line starting = + - @ (or tab, CR) as a formula.
  const value = /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV row with its line end. */
export function timelineCsvLine(event: TimelineEvent): string {
  return `${[event.message, event.datetime, event.timestamp_desc, event.source].map(csvField).join(',')}\r\n`;
}

export function toTimelineCsv(events: readonly TimelineEvent[]): string {
  return `${timelineCsvHeader}${events.map(timelineCsvLine).join('')}${events.length === 0 ? '\r\n' : ''}`;
}
