import type { EntryType, LayerEntry } from './layer-scan.js';

/**
 * The part of find(1)'s expression language profiles use in `where` (`-perm`, `-type`, `-o`,
 * `-a`, `!`, parentheses), evaluated on lstat data from the volume. Anything else is refused
 * by name, so an artifact is never collected unfiltered.
 */
export type FindTest =
  | { readonly ok: true; readonly test: (entry: LayerEntry) => boolean }
  | { readonly ok: false; readonly why: string };

const typeLetters: Record<string, EntryType> = {
  f: 'file',
  d: 'directory',
  l: 'symlink',
  c: 'char-device',
  b: 'block-device',
  p: 'fifo',
  s: 'socket',
};

type Node = (entry: LayerEntry) => boolean;

function permTest(argument: string): Node | undefined {
  const match = /^([-/]?)([0-7]{1,4})$/.exec(argument);
  if (!match) return undefined;
  const bits = Number.parseInt(match[2]!, 8);
  if (match[1] === '-') return (entry) => (entry.mode & bits) === bits;
  if (match[1] === '/') return (entry) => bits === 0 || (entry.mode & bits) !== 0;
  return (entry) => (entry.mode & 0o7777) === bits;
}

/** Parses `where` into a test; recursive descent over or → and → not → primary. */
export function parseFindTests(where: string): FindTest {
  const tokens = where.split(/\s+/).filter(Boolean);
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(why);
  };
  const primary = (): Node => {
    const token = tokens[at++];
    if (token === '(') {
      const inner = or();
      if (tokens[at++] !== ')') fail('unbalanced parentheses');
      return inner;
    }
    if (token === '!' || token === '-not') {
      const inner = primary();
      return (entry) => !inner(entry);
    }
    if (token === '-type') {
      const type = typeLetters[tokens[at++] ?? ''];
      return type ? (entry) => entry.type === type : fail('-type needs one of f d l c b p s');
    }
    if (token === '-perm') return permTest(tokens[at++] ?? '') ?? fail('-perm needs an octal mode');
    return fail(`${token ?? 'end of expression'} is not supported on volumes`);
  };
  const and = (): Node => {
    let left = primary();
    while (at < tokens.length && tokens[at] !== '-o' && tokens[at] !== ')') {
      if (tokens[at] === '-a') at++;
      const right = primary();
      const previous = left;
      left = (entry) => previous(entry) && right(entry);
    }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (tokens[at] === '-o') {
      at++;
      const right = and();
      const previous = left;
      left = (entry) => previous(entry) || right(entry);
    }
    return left;
  };
  try {
    const test = or();
    if (at !== tokens.length) fail(`unexpected ${tokens[at]}`);
    return { ok: true, test };
  } catch (error) {
    return { ok: false, why: (error as Error).message };
  }
}
