import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dependencyCommands, repositoryRoot } from './gatehouse.js';

/** What the Dockerfile's final stage says about how the container runs. */
export interface RuntimeSettings {
  readonly from: string;
  readonly user: { readonly uid: number; readonly gid: number };
  readonly env: Readonly<Record<string, string>>;
  readonly workdir: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly exposed: readonly number[];
}

/** The instructions of a Dockerfile, continuation lines joined, comments dropped. */
function instructions(text: string): { keyword: string; rest: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), rest: rest.join(' ') };
    });
}

/**
 * Reads the final stage of the repository's Dockerfile, so the test runs the assembled root
 * filesystem exactly as an image built from it would run: user, environment, directory, command.
 */
export function runtimeSettings(file = join(repositoryRoot, 'Dockerfile')): RuntimeSettings {
  const all = instructions(readFileSync(file, 'utf8'));
  const lastFrom = all.map((instruction) => instruction.keyword).lastIndexOf('FROM');
  const stage = all.slice(lastFrom);
  const last = (keyword: string) =>
    stage.filter((instruction) => instruction.keyword === keyword).at(-1)?.rest;
  const json = (keyword: string) => JSON.parse(last(keyword) ?? '[]') as string[];
  const [uid, gid] = (last('USER') ?? '0:0').split(':').map(Number);
  const env: Record<string, string> = {};
  for (const instruction of stage.filter((candidate) => candidate.keyword === 'ENV'))
    for (const [, key, value] of instruction.rest.matchAll(/(\w+)=(\S+)/g)) env[key!] = value!;
  return {
    from: stage[0]?.rest ?? '',
    user: { uid: uid ?? 0, gid: gid ?? uid ?? 0 },
    env,
    workdir: last('WORKDIR') ?? '/',
    entrypoint: json('ENTRYPOINT'),
    cmd: json('CMD'),
    exposed: (last('EXPOSE') ?? '').split(/\s+/).filter(Boolean).map(Number),
  };
}

/**
 * The Dockerfile as the docker.io test builds it: word for word, except the build stage starts
 * from `buildBase` (the assembled Debian + Node + dependencies, since no registry serves
 * node:24-bookworm here) without its `npm ci` line, which made that layer. Throws when the
 * Dockerfile's line and the test's commands differ, so the two cannot drift.
 */
export function dockerfileForTest(buildBase: string, file = join(repositoryRoot, 'Dockerfile')): string {
  const text = readFileSync(file, 'utf8');
  const from = /^FROM node:\d+-bookworm AS build$/m;
  const install = `RUN ${dependencyCommands.map((command) => command.join(' ')).join(' && ')}\n`;
  if (!from.test(text))
    throw new Error(`${file}: no "FROM node:<major>-bookworm AS build" line to stand in for`);
  if (!text.includes(install))
    throw new Error(
      `${file}: the build stage no longer runs "${install.trim()}"; update dependencyCommands in test/image/gatehouse.ts`,
    );
  return text.replace(from, `FROM ${buildBase} AS build`).replace(install, '');
}
