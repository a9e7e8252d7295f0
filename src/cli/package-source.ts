import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { AppError } from '../errors.js';
import { extractPackageTar } from '../forensics/index.js';
import type { CommandContext } from './context.js';
import { evidenceRoot } from './evidence-settings.js';

const idPattern = /^[0-9TZ]+-[0-9a-f]{8}$/;

/** The folder of a package named by its id in this data directory's evidence folder. */
export function packageRoot(context: CommandContext, id: string): string {
  if (!idPattern.test(id))
    throw new AppError('input.invalid', `"${id}" is not a package id`, {
      fix: 'Use an id from `gatehouse evidence list`, a package folder, or a downloaded .tar',
    });
  const root = join(evidenceRoot(context), id);
  if (!existsSync(root))
    throw new AppError('not-found', `no evidence package ${id} in ${evidenceRoot(context)}`, {
      fix: 'List packages with `gatehouse evidence list`',
    });
  return root;
}

/**
 * Runs `work` on a package given as an id, a package folder, or the .tar the console downloads
 * (unpacked into a temporary folder, removed afterwards), so a package handed over as one file is
 * checked where it arrived, without the server it came from.
 */
export async function withPackage<T>(
  context: CommandContext,
  given: string,
  work: (root: string, id: string) => Promise<T>,
): Promise<T> {
  const path = resolve(given);
  if (idPattern.test(given) || !existsSync(path)) return await work(packageRoot(context, given), given);
  if (statSync(path).isDirectory()) return await work(path, basename(path));
  const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-verify-'));
  try {
    const { top } = extractPackageTar(path, scratch);
    if (!idPattern.test(top))
      throw new AppError('input.invalid', `${given} holds the folder "${top.slice(0, 80)}", not a package`, {
        fix: 'Give the .tar downloaded from the Evidence page as it was downloaded',
      });
    return await work(join(scratch, top), top);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
