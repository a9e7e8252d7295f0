import { createHash } from 'node:crypto';
import { appendAudit } from '../audit/index.js';
import { AppError } from '../errors.js';
import type { Principal } from '../identity/index.js';
import type { KubeClient } from '../kube/index.js';
import { ensureServiceAccount, requestToken, tokenKubeconfig } from '../provisioning/index.js';
import type { Store } from '../store/index.js';
import { credentialMarginSeconds, minimumTokenSeconds } from './flows.js';
import { getRequest, targetOf } from './requests.js';

export interface IssuedCredential {
  readonly kubeconfig: string;
  /** When the API server stops accepting the token (including its leeway). */
  readonly refusedAfter: string;
  readonly grantExpiresAt: string;
}

/**
 * A kubeconfig for an active credential-mode grant, for its requester only. The token comes from
 * the TokenRequest API and is issued to end before the grant does, allowing for the API server's
 * JWT leeway, so the cluster refuses it at expiry even if Gatehouse is down. Each issue is audited
 * with the token's SHA-256; the token itself is never stored.
 */
export async function issueCredential(
  store: Store,
  /** Gatehouse's client for the request's cluster: called only once the caller may have the credential. */
  client: () => Promise<KubeClient>,
  id: string,
  principal: Principal,
  now = new Date(),
): Promise<IssuedCredential> {
  const request = await getRequest(store, id);
  if (!request.credential)
    throw new AppError('input.invalid', `request ${request.id} grants the requester's own identity`, {
      fix: 'Credentials exist only for flows with mode: credential; use your usual kubeconfig',
    });
  if (principal.subject !== request.requester)
    throw new AppError(
      'auth.forbidden',
      `only ${request.requester} may take the credential of ${request.id}`,
      {
        fix: 'Ask the requester; credentials are never handed to anyone else',
      },
    );
  if (request.state !== 'active' || !request.expiresAt)
    throw new AppError('conflict', `request ${request.id} is ${request.state}, not active`, {
      fix:
        request.state === 'approved'
          ? 'It becomes active at the next reconcile pass (within a second while `gatehouse serve` runs)'
          : 'Make a new request',
    });
  const remaining = Math.floor((Date.parse(request.expiresAt) - now.getTime()) / 1000);
  const expirationSeconds = remaining - credentialMarginSeconds;
  if (expirationSeconds < minimumTokenSeconds)
    throw new AppError(
      'conflict',
      `only ${remaining} s of request ${request.id} remain; the API server issues no token shorter than 10 minutes`,
      { fix: 'Ask an approver to extend the request, or make a new one' },
    );
  const kube = await client();
  await ensureServiceAccount(kube, { ...request.credential, requestId: request.id });
  const issued = await requestToken(kube, request.credential, expirationSeconds);
  const refusedAfter = new Date(
    Date.parse(issued.expirationTimestamp) + credentialMarginSeconds * 1000,
  ).toISOString();
  await appendAudit(
    store,
    {
      actor: principal.subject,
      action: 'access.credential-issue',
      target: targetOf(request),
      outcome: 'succeeded',
      details: {
        id: request.id,
        serviceAccount: `${request.credential.namespace}/${request.credential.name}`,
        tokenSha256: createHash('sha256').update(issued.token).digest('hex'),
        tokenExpiresAt: issued.expirationTimestamp,
      },
    },
    () => now,
  );
  return {
    kubeconfig: tokenKubeconfig(kube, {
      name: `gatehouse-${request.id.slice(0, 8)}`,
      token: issued.token,
      ...(request.namespace ? { namespace: request.namespace } : {}),
    }),
    refusedAfter,
    grantExpiresAt: request.expiresAt,
  };
}
