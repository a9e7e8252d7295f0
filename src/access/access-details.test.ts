import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type AccessDetails, type AccessStep, accessDetails } from './access-details.js';
import { eksClusterOf, roleSessionName } from './access-details-aws.js';
import type { AccessRequest } from './requests.js';
import { shellWord } from './shell-word.js';

const base: AccessRequest = {
  id: '1a2b3c4d-0000-4000-8000-00000000abcd',
  flow: 'dev-edit',
  cluster: 'dev',
  requester: 'alice',
  requesterGroups: ['devs'],
  role: { kind: 'ClusterRole', name: 'edit' },
  namespace: 'payments',
  durationSeconds: 3600,
  reason: 'incident 42',
  breakGlass: false,
  mode: 'binding',
  principalArn: undefined,
  state: 'active',
  createdAt: '2026-12-01T04:00:00.000Z',
  activatedAt: '2026-12-01T04:01:00.000Z',
  expiresAt: '2026-12-01T05:01:00.000Z',
  endedAt: undefined,
  approvals: ['bob'],
  credential: undefined,
  lastError: undefined,
  updatedAt: '2026-12-01T04:01:00.000Z',
};

/** Details while the grant runs (it is active from 04:01 to 05:01). */
const detailsDuring = (request: AccessRequest) =>
  accessDetails(request, { now: new Date('2026-12-01T04:30:00.000Z') });

function ready(details: AccessDetails): Extract<AccessDetails, { status: 'ready' }> {
  if (details.status !== 'ready') throw new Error(`expected ready, got ${details.status}`);
  return details;
}

const commandsOf = (steps: readonly AccessStep[]) =>
  steps.flatMap((step) => (step.kind === 'commands' ? step.commands : []));

/** What a POSIX shell makes of a command line, word by word. */
function wordsOf(line: string): string[] {
  const out = execFileSync('sh', [
    '-c',
    `for word in ${line.replace(/^\S+ /, '')}; do printf '%s\\0' "$word"; done`,
  ]);
  return out.toString().split('\0').slice(0, -1);
}

describe('how a requester uses an active grant', () => {
  it('binding mode: says what their own identity now holds and how to list it in the namespace', () => {
    const details = ready(detailsDuring(base));
    expect(details.access).toBe('ClusterRole/edit in namespace payments');
    expect(details.steps[0]).toMatchObject({
      kind: 'note',
      text: expect.stringContaining('cluster user alice'),
    });
    expect(commandsOf(details.steps)).toEqual([
      'kubectl auth whoami',
      'kubectl auth can-i --list -n payments',
    ]);
  });

  it('binding mode cluster-wide: lists without a namespace', () => {
    const details = ready(detailsDuring({ ...base, namespace: undefined }));
    expect(details.access).toBe('ClusterRole/edit cluster-wide');
    expect(commandsOf(details.steps)).toContain('kubectl auth can-i --list');
  });

  it('credential mode: offers the download, with the CLI command, and uses the file it writes', () => {
    const details = ready(
      detailsDuring({
        ...base,
        mode: 'credential',
        credential: { namespace: 'gatehouse-access', name: 'gatehouse-1a2b3c4d00004000' },
      }),
    );
    expect(details.steps[0]).toEqual({
      kind: 'download-credential',
      text: expect.stringContaining('refused by the cluster once the grant ends'),
      command: `gatehouse access credential ${base.id} --out gatehouse-1a2b3c4d.kubeconfig`,
    });
    expect(commandsOf(details.steps)).toEqual([
      'kubectl --kubeconfig gatehouse-1a2b3c4d.kubeconfig auth can-i --list -n payments',
    ]);
  });

  it('aws-auth mode: the exact assume-role line, the profile and update-kubeconfig with the real names', () => {
    const details = ready(
      detailsDuring({
        ...base,
        mode: 'aws-auth',
        cluster: 'eks/111122223333/eu-west-1/prod-main',
        principalArn: 'arn:aws:iam::111122223333:role/oncall-alice',
      }),
    );
    expect(commandsOf(details.steps)).toEqual([
      'aws sts assume-role --role-arn arn:aws:iam::111122223333:role/oncall-alice --role-session-name gatehouse-1a2b3c4d-alice',
      'aws eks update-kubeconfig --name prod-main --region eu-west-1 --role-arn arn:aws:iam::111122223333:role/oncall-alice --alias gatehouse-1a2b3c4d',
      'kubectl --context gatehouse-1a2b3c4d auth can-i --list -n payments',
    ]);
    const profile = details.steps.find((step) => step.kind === 'file');
    expect(profile).toMatchObject({
      path: '~/.aws/config',
      content:
        '[profile gatehouse-1a2b3c4d]\nrole_arn = arn:aws:iam::111122223333:role/oncall-alice\nrole_session_name = gatehouse-1a2b3c4d-alice\nsource_profile = default\nregion = eu-west-1\n',
    });
  });

  it('access-entry mode for an IAM user: no assume-role, update-kubeconfig without --role-arn', () => {
    const details = ready(
      detailsDuring({
        ...base,
        mode: 'access-entry',
        role: { kind: 'AccessPolicy', name: 'AmazonEKSViewPolicy' },
        namespace: undefined,
        cluster: 'eks/111122223333/us-east-1/shared',
        principalArn: 'arn:aws:iam::111122223333:user/alice',
      }),
    );
    expect(commandsOf(details.steps)).toEqual([
      'aws eks update-kubeconfig --name shared --region us-east-1 --alias gatehouse-1a2b3c4d',
      'kubectl --context gatehouse-1a2b3c4d auth can-i --list',
    ]);
    expect(details.steps.some((step) => step.kind === 'file')).toBe(false);
  });

  it('an EKS mode on a kubeconfig context says the EKS name and region are not known, instead of guessing', () => {
    const details = ready(
      detailsDuring({
        ...base,
        mode: 'aws-auth',
        principalArn: 'arn:aws:iam::111122223333:role/oncall-alice',
      }),
    );
    expect(details.steps.some((step) => step.kind === 'note' && step.text.includes('does not know'))).toBe(
      true,
    );
    expect(commandsOf(details.steps)[1]).toContain('--name EKS_CLUSTER_NAME --region REGION');
    expect(details.steps.find((step) => step.kind === 'file')).not.toHaveProperty(
      'content',
      expect.stringContaining('region ='),
    );
  });

  it('gives no details for a request that is not active, and says why', () => {
    expect(accessDetails({ ...base, state: 'pending', expiresAt: undefined })).toEqual({
      status: 'not-active',
      requestId: base.id,
      state: 'pending',
      message: expect.stringContaining('waits for approval'),
    });
    expect(accessDetails(base, { now: new Date('2026-12-01T05:01:00.000Z') })).toMatchObject({
      status: 'not-active',
      state: 'active',
      message: expect.stringContaining('ended at 2026-12-01T05:01:00.000Z'),
    });
    expect(accessDetails({ ...base, state: 'revoked' })).toMatchObject({
      status: 'not-active',
      state: 'revoked',
    });
  });

  it('never puts a secret or stored error text in the output', () => {
    const details = detailsDuring({
      ...base,
      mode: 'credential',
      credential: { namespace: 'gatehouse-access', name: 'gatehouse-1a2b3c4d00004000' },
      lastError: 'token eyJhbGciOi.secret',
      reason: 'password hunter2',
    });
    const text = JSON.stringify(details);
    expect(text).not.toContain('eyJ');
    expect(text).not.toContain('hunter2');
  });
});

describe('values inside the commands', () => {
  it('quotes a value a shell would split or expand, so it stays one word', () => {
    for (const value of ["it's", 'a b', '$(touch /tmp/x)', '`id`', 'semi;colon', 'new\nline', '*']) {
      expect(wordsOf(`echo ${shellWord(value)}`)).toEqual([value]);
    }
    expect(shellWord('arn:aws:iam::111122223333:role/oncall-alice')).toBe(
      'arn:aws:iam::111122223333:role/oncall-alice',
    );
  });

  it('keeps a hostile requester name out of the shell: the session name holds only IAM characters', () => {
    const session = roleSessionName({ id: base.id, requester: 'oidc:al ice;$(rm -rf ~)'.repeat(4) });
    expect(session).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(shellWord(session)).toBe(session);
  });

  it('reads an EKS cluster name only in the form the EKS provider writes it', () => {
    expect(eksClusterOf('eks/111122223333/eu-west-1/prod')).toEqual({
      account: '111122223333',
      region: 'eu-west-1',
      name: 'prod',
    });
    expect(eksClusterOf('eks/111122223333/eu-west-1/prod;rm')).toBeUndefined();
    expect(eksClusterOf('kind-dev')).toBeUndefined();
  });
});
