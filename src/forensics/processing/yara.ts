import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { Compiler, initSync, type Rules } from '@virustotal/yara-x';
import { AppError, messageOf } from '../../errors.js';
import type { Indicator, IndicatorSeverity } from './indicators.js';
import { quote } from './quote.js';
import type { OpenPackage } from './triage.js';

/** User YARA rules (YARA-X syntax), compiled once for a run. */
export interface YaraRules {
  readonly directory: string;
  readonly files: readonly string[];
  readonly rules: Rules;
}

export interface YaraScan {
  readonly indicators: Indicator[];
  /** Files that could not be scanned, or scanned with errors: never a silent gap. */
  readonly problems: string[];
}

/** External variables every rule may use, set per scanned file (as in other YARA scanners). */
const externals = ['filepath', 'filename', 'extension'] as const;
const maxScanBytes = 256 * 1024 * 1024;
const maxDepth = 5;
let engineLoaded = false;

/** YARA-X ships as WebAssembly inside its npm package: loaded from there, nothing is downloaded. */
function loadEngine(): void {
  if (engineLoaded) return;
  const home = dirname(createRequire(import.meta.url).resolve('@virustotal/yara-x/package.json'));
  initSync({ module: readFileSync(join(home, 'pkg', 'yara_x_js_bg.wasm')) });
  engineLoaded = true;
}

function ruleFiles(directory: string, depth = 0): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory() && depth < maxDepth) return ruleFiles(path, depth + 1);
      return entry.isFile() && /\.(yar|yara)$/i.test(entry.name) ? [path] : [];
    });
}

function newCompiler(): Compiler {
  const compiler = new Compiler();
  for (const name of externals) compiler.defineGlobal(name, '');
  return compiler;
}

function compileInto(compiler: Compiler, directory: string, file: string): void {
  compiler.newNamespace(relative(directory, file).replace(/[^A-Za-z0-9_]/g, '_'));
  try {
    compiler.addSource(readFileSync(file, 'utf8'));
  } catch (error) {
    const detail = compiler.errors[0] ?? messageOf(error);
    throw new AppError('input.invalid', `YARA rule file ${file} does not compile: ${detail}`, {
      fix: 'Fix the rule (YARA-X syntax: https://virustotal.github.io/yara-x/docs/) or move the file out of the directory',
    });
  }
}

/**
 * Compiles every `.yar`/`.yara` file under `directory` (each in its own namespace), naming the
 * file of the first rule that does not compile.
 */
export function loadYaraRules(directory: string): YaraRules {
  if (!existsSync(directory) || !statSync(directory).isDirectory())
    throw new AppError('input.invalid', `--yara ${directory} is not a directory`, {
      fix: 'Give a directory holding .yar or .yara rule files',
    });
  const files = ruleFiles(directory);
  if (files.length === 0)
    throw new AppError('input.invalid', `no .yar or .yara files in ${directory}`, {
      fix: 'Put YARA rules in files ending .yar or .yara',
    });
  loadEngine();
  // A failed addSource poisons a compiler, so each file is first checked on its own.
  for (const file of files) {
    const check = newCompiler();
    try {
      compileInto(check, directory, file);
    } finally {
      check.free();
    }
  }
  const compiler = newCompiler();
  try {
    for (const file of files) compileInto(compiler, directory, file);
    return { directory, files, rules: compiler.build() };
  } finally {
    compiler.free();
  }
}

interface ScanMatch {
  readonly identifier: string;
  readonly namespace: string;
  readonly isPrivate: boolean;
  readonly tags: readonly string[];
  readonly metadata: readonly { identifier: string; value: unknown }[];
  readonly patterns: readonly {
    identifier: string;
    matches: readonly { offset: number; length: number }[];
  }[];
}

const severities: readonly IndicatorSeverity[] = ['critical', 'high', 'medium', 'low'];

function metaText(match: ScanMatch, key: string): string | undefined {
  const value = match.metadata.find((entry) => entry.identifier === key)?.value;
  return typeof value === 'string' ? value : undefined;
}

/** The first few matched patterns, each with the bytes it matched (escaped, bounded). */
function evidenceOf(match: ScanMatch, data: Uint8Array): string {
  const quoted = match.patterns
    .filter((pattern) => pattern.matches.length > 0)
    .slice(0, 3)
    .map((pattern) => {
      const first = pattern.matches[0]!;
      const bytes = Buffer.from(data.subarray(first.offset, first.offset + Math.min(first.length, 80)));
      return `${pattern.identifier} at ${first.offset}: ${quote(bytes.toString('latin1'), { max: 80 })}`;
    });
  return quoted.length > 0 ? quoted.join('; ') : 'condition matched';
}

function indicatorOf(match: ScanMatch, source: string, data: Uint8Array, rules: YaraRules): Indicator {
  const severity = metaText(match, 'severity')?.toLowerCase() as IndicatorSeverity | undefined;
  const description = metaText(match, 'description');
  const tags = match.tags.length > 0 ? ` [${match.tags.join(', ')}]` : '';
  return {
    id: `yara:${match.identifier}`,
    severity: severity && severities.includes(severity) ? severity : 'high',
    title: quote(description ?? `YARA rule ${match.identifier}`, { max: 160 }),
    why: quote(`user YARA rule ${match.namespace}.${match.identifier}${tags} from ${rules.directory}`, {
      max: 300,
    }),
    reason: evidenceOf(match, data),
    where: quote(source),
  };
}

/** Runs the rules over every collected file and command output of the package, once each. */
export function scanWithYara(
  pkg: OpenPackage,
  rules: YaraRules,
  options: { timeoutMs?: number } = {},
): YaraScan {
  const indicators: Indicator[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const scanner = rules.rules.scanner();
  scanner.setTimeoutMs(options.timeoutMs ?? 10_000);
  try {
    for (const item of pkg.items) {
      const key = `${item.source}\u0000${item.sha256}`;
      if (!item.path || seen.has(key)) continue;
      seen.add(key);
      if (item.size > maxScanBytes) {
        problems.push(
          `${quote(item.source)}: not scanned, ${item.size} bytes is over the ${maxScanBytes}-byte limit`,
        );
        continue;
      }
      const data = new Uint8Array(readFileSync(join(pkg.root, item.path)));
      const name = item.source.slice(item.source.lastIndexOf('/') + 1);
      scanner.setGlobal('filepath', item.source);
      scanner.setGlobal('filename', name);
      scanner.setGlobal('extension', name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '');
      try {
        const result = scanner.scan(data) as { matches: ScanMatch[]; errors?: unknown[] };
        for (const match of result.matches.filter((candidate) => !candidate.isPrivate))
          indicators.push(indicatorOf(match, item.source, data, rules));
        for (const error of result.errors ?? [])
          problems.push(`${quote(item.source)}: ${quote(String(error))}`);
      } catch (error) {
        problems.push(`${quote(item.source)}: not scanned: ${quote(messageOf(error))}`);
      }
    }
  } finally {
    scanner.free();
  }
  return { indicators, problems };
}
