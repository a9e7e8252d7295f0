import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { localPublicKey, trustedKeys } from '../audit/index.js';
import { AppError } from '../errors.js';
import {
  type CustodyRecord,
  findIndicators,
  heldView,
  type Indicator,
  type IndicatorSeverity,
  openPackage,
  packageAnchors,
  type VerifyOutcome,
  verifyPackage,
} from '../forensics/index.js';
import type { Store } from '../store/index.js';

const idPattern = /^[0-9TZ]+-[0-9a-f]{8}$/;

export const severities: readonly IndicatorSeverity[] = ['critical', 'high', 'medium', 'low'];

/** One package as the list shows it; `custody` is undefined for a package never sealed. */
export interface PackageSummary {
  readonly id: string;
  readonly custody: CustodyRecord | undefined;
  readonly bytes: number;
  readonly counts: Readonly<Record<IndicatorSeverity, number>> | undefined;
  /** Why the package could not be read (a damaged package is listed, not hidden). */
  readonly problem?: string;
}

function custodyOf(root: string): CustodyRecord | undefined {
  const file = join(root, 'custody.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CustodyRecord) : undefined;
}

/** Every regular file under a directory, as paths relative to it, sorted. */
export function filesOf(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) return filesOf(root, path);
      return entry.isFile() ? [path] : [];
    })
    .sort();
}

export function countBySeverity(indicators: readonly Indicator[]): Record<IndicatorSeverity, number> {
  const counts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const indicator of indicators) counts[indicator.severity]++;
  return counts;
}

/**
 * The indicators of a package: from its stored view when a verification holds for its files as
 * they are (a large package is not read again for the list), found in its files otherwise.
 */
async function indicatorsOf(store: Store, id: string, root: string): Promise<readonly Indicator[]> {
  const view = await heldView(store, id, root);
  return view ? view.summary.indicators : findIndicators(openPackage(root));
}

async function summarize(store: Store, evidenceRoot: string, id: string): Promise<PackageSummary> {
  const root = join(evidenceRoot, id);
  const bytes = filesOf(root).reduce((sum, path) => sum + statSync(join(root, path)).size, 0);
  try {
    const custody = custodyOf(root);
    const counts = custody ? countBySeverity(await indicatorsOf(store, id, root)) : undefined;
    return { id, custody, bytes, counts };
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    return { id, custody: undefined, bytes, counts: undefined, problem: problem.slice(0, 200) };
  }
}

/** The packages in the evidence folder, newest first (ids sort by their acquisition time). */
export async function listPackages(store: Store, evidenceRoot: string): Promise<PackageSummary[]> {
  if (!existsSync(evidenceRoot)) return [];
  const ids = readdirSync(evidenceRoot)
    .filter((id) => idPattern.test(id))
    .sort()
    .reverse();
  const summaries: PackageSummary[] = [];
  for (const id of ids) summaries.push(await summarize(store, evidenceRoot, id));
  return summaries;
}

/** The folder of one package; the id is checked first, so it can name nothing outside the folder. */
export function packageRoot(evidenceRoot: string, id: string): string {
  if (!idPattern.test(id))
    throw new AppError('input.invalid', `"${id.slice(0, 60)}" is not a package id`, {
      fix: 'Pick a package from the Evidence page',
    });
  const root = join(evidenceRoot, id);
  if (!existsSync(root))
    throw new AppError('not-found', `no evidence package ${id}`, {
      fix: 'Pick a package from the Evidence page',
    });
  return root;
}

export type { VerifyOutcome } from '../forensics/index.js';

/**
 * Re-hashes the package and checks its hash against the signed records of its acquisition: the
 * audit entries in this store and the signature file beside it, both with this store's trusted
 * keys. The files alone prove only that they agree with each other.
 */
export async function verifyWithAnchors(
  store: Store,
  evidenceRoot: string,
  id: string,
): Promise<VerifyOutcome> {
  const root = packageRoot(evidenceRoot, id);
  const local = verifyPackage(root);
  const key = localPublicKey(store);
  const keys = key ? await trustedKeys(store, key) : undefined;
  const { anchors, notes } = await packageAnchors({ root, id, packageHash: local.packageHash, keys, store });
  const problems = [
    ...local.problems,
    ...anchors.filter((anchor) => !anchor.ok).map((anchor) => ({ path: 'package', problem: anchor.detail })),
  ];
  return { ...local, ok: problems.length === 0, problems, anchors, notes };
}
