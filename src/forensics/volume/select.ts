import { AppError } from '../../errors.js';
import type { VolumeContainer } from './types.js';

function describe(container: VolumeContainer): string {
  return container.namespace
    ? `${container.runtime} ${container.namespace}/${container.id}`
    : `${container.runtime} ${container.id}`;
}

/**
 * The one container `reference` names: its id, a unique id prefix (4+ characters, as Docker
 * abbreviates), its Docker name, or `<namespace>/<pod>/<container>` from its Kubernetes labels.
 * Pod sandboxes are skipped by the Kubernetes form, since they share the pod's name.
 */
export function selectContainer(containers: readonly VolumeContainer[], reference: string): VolumeContainer {
  const byKubernetes = (container: VolumeContainer) => {
    const pod = container.kubernetes;
    return pod?.kind !== 'sandbox' && `${pod?.namespace}/${pod?.pod}/${pod?.container}` === reference;
  };
  const tiers = [
    containers.filter((container) => container.id === reference || container.name === reference),
    containers.filter(byKubernetes),
    reference.length >= 4 ? containers.filter((container) => container.id.startsWith(reference)) : [],
  ];
  const matches = tiers.find((tier) => tier.length > 0) ?? [];
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new AppError('not-found', `no container on the volume matches ${JSON.stringify(reference)}`, {
      fix: 'Run `gatehouse volume list ROOT` and pass an id, a Docker name or <namespace>/<pod>/<container>',
    });
  }
  throw new AppError(
    'input.invalid',
    `${JSON.stringify(reference)} matches ${matches.length} containers: ${matches.map(describe).join(', ')}`,
    {
      fix: 'Pass the full id',
    },
  );
}
