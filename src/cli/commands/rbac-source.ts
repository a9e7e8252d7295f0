import { currentClusterName } from '../../config/index.js';
import {
  manifestSource,
  type RbacSource,
  sourceWarnings,
  syncSource,
  type UserSource,
  userSource,
} from '../../inventory/index.js';
import { loadKubeconfig } from '../../kube/index.js';
import type { CommandContext } from '../context.js';
import { withStore } from '../open-store.js';

export interface SourceFlags {
  readonly filename?: string;
  readonly run?: string;
}

/** The namespace kubectl would use: -n, else the context's namespace, else "default". */
export function defaultNamespace(context: CommandContext, flags: SourceFlags): string {
  if (flags.filename) return 'default';
  try {
    const { config } = loadKubeconfig({
      path: context.kubeconfig,
      context: context.context,
      env: context.env,
    });
    return config.getContextObject(config.getCurrentContext())?.namespace ?? 'default';
  } catch {
    // No usable kubeconfig: queries run on stored syncs, so fall back as kubectl does.
    return 'default';
  }
}

/** Opens the data a query runs on and prints what it is missing to stderr. */
export async function openSource(context: CommandContext, flags: SourceFlags): Promise<RbacSource> {
  const source = flags.filename
    ? manifestSource(flags.filename)
    : await withStore(context, (store) => syncSource(store, currentClusterName(context), flags.run));
  for (const warning of sourceWarnings(source)) context.stderr(`warning: ${warning}\n`);
  return source;
}

/**
 * What one user's question runs on: manifests, or only that user's grants in the stored sync
 * (read by subject, so a large cluster's snapshot is not loaded for one answer).
 */
export async function openUserSource(
  context: CommandContext,
  flags: SourceFlags,
  user: { readonly name: string; readonly groups: readonly string[] },
): Promise<Pick<UserSource, 'index' | 'label'>> {
  if (flags.filename) return await openSource(context, flags);
  const source = await withStore(context, (store) =>
    userSource(store, currentClusterName(context), user, flags.run),
  );
  for (const warning of source.warnings) context.stderr(`warning: ${warning}\n`);
  return source;
}
