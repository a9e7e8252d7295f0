import type { EksAccessEntriesPort } from '../clusters/index.js';
import { AppError, describeError } from '../errors.js';
import { type ClusterRead, readCluster } from '../inventory/index.js';
import type { KubeClient } from '../kube/index.js';
import { removeSubjectFromBinding, unmapAwsAuthPrincipal } from '../provisioning/index.js';
import type { Store } from '../store/index.js';
import { proveRevoked } from './proof.js';
import type { ReviewItem, Revocation } from './types.js';

/** What revoking needs: the campaign's cluster and its frozen snapshot (for the rules to check). */
export interface RevokeContext {
  readonly store: Store;
  readonly cluster: string;
  readonly client: KubeClient;
  readonly accessEntries?: EksAccessEntriesPort;
  readonly read: ClusterRead;
  readonly dryRun?: boolean;
  readonly now?: () => Date;
  /** How long SubjectAccessReview may take to see the change (the authorizer's cache). */
  readonly settleMs?: number;
}

/** Makes the change a revoke decision asks for, through provisioning; one line per change. */
async function applyChange(item: ReviewItem, context: RevokeContext): Promise<string[]> {
  const { grant, subject } = item;
  const dryRun = context.dryRun === true;
  switch (grant.type) {
    case 'binding': {
      if (subject.kind === 'IamPrincipal') throw new AppError('internal', 'an IAM principal in a binding');
      const removal = await removeSubjectFromBinding(
        context.client,
        {
          kind: grant.bindingKind,
          name: grant.bindingName,
          ...(grant.namespace ? { namespace: grant.namespace } : {}),
          roleRef: grant.roleRef,
        },
        {
          kind: subject.kind,
          name: subject.name,
          ...(subject.namespace ? { namespace: subject.namespace } : {}),
        },
        { dryRun },
      );
      return [removal.change];
    }
    case 'aws-auth': {
      const changed = await unmapAwsAuthPrincipal(context.client, subject.name, {
        store: context.store,
        cluster: context.cluster,
        reason: `access review item ${item.id}`,
        dryRun,
      });
      return [
        changed
          ? `remove ${subject.name} from kube-system/aws-auth`
          : `aws-auth no longer maps ${subject.name}`,
      ];
    }
    case 'access-policy': {
      const port = context.accessEntries;
      if (!port)
        throw new AppError('input.invalid', `cluster ${context.cluster} has no EKS access entries port`, {
          fix: 'Add the cluster through the EKS provider (gatehouse providers add eks) so Gatehouse can call the EKS API',
        });
      const entry = await port.accessEntry(subject.name);
      if (!entry?.policies.some((policy) => policy.policyArn === grant.policyArn))
        return [`${subject.name} no longer has ${grant.policyArn}`];
      if (!dryRun)
        await port.disassociateAccessPolicy({ principalArn: subject.name, policyArn: grant.policyArn });
      return [`disassociate ${grant.policyArn} from ${subject.name}`];
    }
    default: {
      const unknown: never = grant;
      return unknown;
    }
  }
}

/**
 * Revokes what an item grants and proves it: the change goes through provisioning, then
 * SubjectAccessReview on the cluster checks the permission is gone, or names what still grants it.
 * A failure is a value (`status: 'failed'` with why), so the item stays open and says so. A dry run
 * asks the apiserver to validate the change (dryRun=All) and stores nothing.
 */
export async function revokeItem(item: ReviewItem, context: RevokeContext): Promise<Revocation> {
  const at = (context.now ?? (() => new Date()))().toISOString();
  let changes: string[] = [];
  try {
    changes = await applyChange(item, context);
  } catch (error) {
    return { at, status: 'failed', changes, error: describeError(error) };
  }
  if (context.dryRun) return { at, status: 'done', changes: changes.map((change) => `would ${change}`) };
  if (item.grant.type === 'access-policy' && context.accessEntries)
    return {
      at,
      status: 'done',
      changes,
      proof: await accessPolicyProof(item, item.grant.policyArn, context.accessEntries),
    };
  try {
    const proof = await proveRevoked(context.client, item, context.read, {
      ...(context.settleMs !== undefined ? { settleMs: context.settleMs } : {}),
      freshRead: () => readCluster(context.client),
    });
    return { at, status: 'done', changes, proof };
  } catch (error) {
    return { at, status: 'done', changes, proof: { kind: 'not-checked', why: describeError(error) } };
  }
}

/**
 * EKS authorizes access policies outside RBAC, so SubjectAccessReview cannot see them: the proof
 * is a fresh read of the principal's access entry from the EKS API, without that policy.
 */
async function accessPolicyProof(
  item: ReviewItem,
  policyArn: string,
  port: EksAccessEntriesPort,
): Promise<NonNullable<Revocation['proof']>> {
  const checked = [`EKS access entry of ${item.subject.name} has ${policyArn}`];
  try {
    const entry = await port.accessEntry(item.subject.name);
    const still = entry?.policies.filter((policy) => policy.policyArn === policyArn) ?? [];
    if (still.length === 0) return { kind: 'gone', checked };
    return {
      kind: 'still-granted',
      checked,
      paths: [`EKS access entry ${item.subject.name} → ${policyArn} (associated again after the revocation)`],
    };
  } catch (error) {
    return { kind: 'not-checked', why: describeError(error) };
  }
}
