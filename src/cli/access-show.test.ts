import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cli } from '../../test/support/cli.js';
import { person } from '../../test/support/principals.js';
import { createRequest, parseFlowFile, saveFlows } from '../access/index.js';
import { transition } from '../access/requests.js';
import { openStore } from '../store/index.js';

const flows = parseFlowFile(
  `kind: AccessFlow
metadata: {name: creds}
spec:
  requesters: {users: [rita]}
  namespaces: [prod]
  roles: [{kind: ClusterRole, name: edit}]
  approvers: {users: [ann]}
  maxDuration: 1h
  mode: credential
---
kind: AccessFlow
metadata: {name: eks}
spec:
  requesters: {users: [rita]}
  roles: [{kind: ClusterRole, name: view, scope: cluster}]
  approvers: {users: [ann]}
  maxDuration: 1h
  mode: aws-auth
  eks: {principalArn: "arn:aws:iam::111122223333:role/oncall-{user}"}
`,
  'test',
);
const home = mkdtempSync(join(tmpdir(), 'gatehouse-show-'));
const env = { GATEHOUSE_HOME: home };
const ids: Record<string, string> = {};

beforeAll(async () => {
  const store = await openStore({ dataDir: home });
  await saveFlows(store, flows, 'admin');
  const ask = (flow: string, cluster: string, namespace?: string) =>
    createRequest(store, person('rita'), {
      flow: flows.find((candidate) => candidate.name === flow)!,
      cluster,
      role: { kind: 'ClusterRole', name: namespace ? 'edit' : 'view' },
      namespace,
      durationSeconds: 1800,
      reason: 'incident 4711',
    });
  const now = new Date();
  const activate = (id: string) =>
    transition(
      store,
      id,
      ['pending'],
      'active',
      { activated_at: now.toISOString(), expires_at: new Date(now.getTime() + 1_800_000).toISOString() },
      now,
    );
  ids.credential = (await ask('creds', 'dev', 'prod')).id;
  ids.eks = (await ask('eks', 'eks/111122223333/eu-west-1/prod')).id;
  ids.pending = (await ask('creds', 'dev', 'prod')).id;
  await activate(ids.credential);
  await activate(ids.eks);
  await store.close();
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('gatehouse access show', () => {
  it('prints how to use an active credential-mode grant under the request', async () => {
    const shown = await cli(['access', 'show', ids.credential!.slice(0, 8)], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(
      'How to use it (credential mode, ClusterRole/edit in namespace prod of dev, until',
    );
    expect(shown.stdout).toContain(
      `$ gatehouse access credential ${ids.credential} --out gatehouse-${ids.credential!.slice(0, 8)}.kubeconfig`,
    );
    expect(shown.stdout).toContain('auth can-i --list -n prod');
  });

  it('prints the aws lines with the real role, session and cluster names', async () => {
    const { stdout } = await cli(['access', 'show', ids.eks!], env);
    const short = ids.eks!.slice(0, 8);
    expect(stdout).toContain(
      `$ aws sts assume-role --role-arn arn:aws:iam::111122223333:role/oncall-rita --role-session-name gatehouse-${short}-rita`,
    );
    expect(stdout).toContain(
      `$ aws eks update-kubeconfig --name prod --region eu-west-1 --role-arn arn:aws:iam::111122223333:role/oncall-rita --alias gatehouse-${short}`,
    );
    expect(stdout).toContain(`[profile gatehouse-${short}]`);
  });

  it('adds the details to JSON and YAML, and prints no section for a request not yet active', async () => {
    const json = JSON.parse((await cli(['access', 'show', ids.eks!, '-o', 'json'], env)).stdout);
    expect(json.accessDetails).toMatchObject({ status: 'ready', mode: 'aws-auth' });
    expect(json.accessDetails.steps.map((step: { kind: string }) => step.kind)).toContain('file');
    const yaml = parseYaml((await cli(['access', 'show', ids.pending!, '-o', 'yaml'], env)).stdout);
    expect(yaml.accessDetails).toMatchObject({ status: 'not-active', state: 'pending' });
    const table = await cli(['access', 'show', ids.pending!], env);
    expect(table.stdout).not.toContain('How to use it');
    expect(table.stdout).toContain('pending');
  });
});
