import { afterEach, describe, expect, it } from 'vitest';
import { person } from '../../test/support/principals.js';
import { dialects, freshStore } from '../../test/support/stores.js';
import { localPrincipal } from '../identity/index.js';
import { applyFlows } from './flow-apply.js';
import { minimumCredentialGrantSeconds, parseDuration, parseFlowFile } from './flows.js';
import {
  clusterChoices,
  durationText,
  namespaceStanding,
  requestOptions,
  requestOptionsOf,
} from './request-options.js';

const flowFile = `
kind: AccessFlow
metadata: {name: dev-edit}
spec:
  requesters: {groups: [devs]}
  clusters: [dev, staging]
  namespaces: [payments, team-*]
  namespaceSelector: {matchLabels: {tier: dev}}
  roles:
    - {kind: ClusterRole, name: edit}
    - {kind: ClusterRole, name: view, scope: cluster}
  approvers: {groups: [leads], required: 2}
  autoApprove: {groups: [leads]}
  maxDuration: 4h
---
kind: AccessFlow
metadata: {name: prod-creds}
spec:
  requesters: {users: [alice]}
  breakGlass: {groups: [responders]}
  namespaces: [prod]
  roles: [{kind: Role, name: debugger}]
  approvers: {users: [bob]}
  maxDuration: 1h
  mode: credential
  justificationRequired: false
---
kind: AccessFlow
metadata: {name: eks-oncall}
spec:
  requesters: {groups: [devs]}
  clusters: [eks/111122223333/eu-west-1/prod]
  roles: [{kind: ClusterRole, name: view, scope: cluster}]
  approvers: {users: [bob]}
  maxDuration: 30m
  mode: aws-auth
  eks: {principalArn: "arn:aws:iam::111122223333:role/oncall-{user}"}
---
kind: AccessFlow
metadata: {name: secret}
spec:
  requesters: {users: [mallory]}
  namespaces: [vault]
  roles: [{kind: ClusterRole, name: admin}]
  approvers: {users: [bob]}
  maxDuration: 1h
`;
const flows = parseFlowFile(flowFile, 'test');

describe('what a principal may request, shaped for a form', () => {
  it('offers only the flows that name the principal as requester or break-glass user', () => {
    expect(requestOptionsOf(flows, person('alice')).flows.map((option) => option.flow)).toEqual([
      'prod-creds',
    ]);
    expect(requestOptionsOf(flows, person('zed', ['devs'])).flows.map((option) => option.flow)).toEqual([
      'dev-edit',
      'eks-oncall',
    ]);
    expect(requestOptionsOf(flows, person('nobody')).flows).toEqual([]);
  });

  it('gives clusters, namespaces with their label selector, roles and the approval a request will need', () => {
    const [option] = requestOptionsOf(flows, person('zed', ['devs'])).flows;
    expect(option).toMatchObject({
      mode: 'binding',
      requestable: true,
      breakGlass: false,
      clusters: { kind: 'listed', names: ['dev', 'staging'] },
      namespaces: { names: ['payments'], prefixes: ['team-'], selector: { matchLabels: { tier: 'dev' } } },
      roles: [
        { kind: 'ClusterRole', name: 'edit', scope: 'namespace', namespaceRequired: true },
        { kind: 'ClusterRole', name: 'view', scope: 'cluster', namespaceRequired: false },
      ],
      reason: { required: true, minimumLength: 5, maximumLength: 2000 },
      approval: { kind: 'review', required: 2 },
      principalArn: undefined,
    });
    expect(requestOptionsOf(flows, person('lead', ['devs', 'leads'])).flows[0]!.approval).toEqual({
      kind: 'automatic',
    });
  });

  it('suggests round durations up to the flow maximum, never below what credential mode can issue', () => {
    const devs = requestOptionsOf(flows, person('zed', ['devs'])).flows;
    expect(devs[0]!.durations).toEqual({
      minimumSeconds: 60,
      maximumSeconds: 14_400,
      suggestedSeconds: [900, 1800, 3600, 7200, 14_400],
    });
    const [credential] = requestOptionsOf(flows, person('alice')).flows;
    expect(credential!.durations.minimumSeconds).toBe(minimumCredentialGrantSeconds);
    expect(credential!.durations.suggestedSeconds).toEqual([900, 1800, 3600]);
    expect(credential!.reason).toMatchObject({ required: false, minimumLength: 0 });
  });

  it('marks a flow the principal may only use through break-glass', () => {
    const [option] = requestOptionsOf(flows, person('rita', ['responders'])).flows;
    expect(option).toMatchObject({ flow: 'prod-creds', requestable: false, breakGlass: true });
    expect(requestOptionsOf(flows, person('alice', ['responders'])).flows[0]).toMatchObject({
      requestable: true,
      breakGlass: true,
    });
  });

  it("names the requester's own IAM principal in EKS modes, and reports a user name IAM refuses as a problem", () => {
    const eks = requestOptionsOf(flows, person('zed', ['devs'])).flows[1]!;
    expect(eks.principalArn).toBe('arn:aws:iam::111122223333:role/oncall-zed');
    const refused = requestOptionsOf(flows, person('oidc:zed', ['devs']));
    expect(refused.flows.map((option) => option.flow)).toEqual(['dev-edit']);
    expect(refused.problems).toEqual([
      { flow: 'eks-oncall', message: expect.stringContaining('cannot be part of an IAM principal name') },
    ]);
  });

  it('says when a namespace needs the cluster to check its labels, and refuses names that are not namespaces', () => {
    const { namespaces } = requestOptionsOf(flows, person('zed', ['devs'])).flows[0]!;
    expect(namespaceStanding(namespaces, 'payments')).toBe('allowed');
    expect(namespaceStanding(namespaces, 'team-blue')).toBe('allowed');
    expect(namespaceStanding(namespaces, 'sandbox')).toBe('cluster-checks-labels');
    expect(namespaceStanding(namespaces, 'Bad/Name')).toBe('refused');
    const prod = requestOptionsOf(flows, person('alice')).flows[0]!.namespaces;
    expect(namespaceStanding(prod, 'prod')).toBe('allowed');
    expect(namespaceStanding(prod, 'payments')).toBe('refused');
  });
});

describe('form values', () => {
  it('offers the clusters a flow lists, or every known cluster when it covers any', () => {
    const [dev, eks] = requestOptionsOf(flows, person('zed', ['devs'])).flows;
    const [credentials] = requestOptionsOf(flows, person('alice')).flows;
    expect(clusterChoices(dev!, ['a', 'b'])).toEqual(['dev', 'staging']);
    expect(clusterChoices(eks!, [])).toEqual(['eks/111122223333/eu-west-1/prod']);
    expect(clusterChoices(credentials!, ['kind-gatehouse', 'prod'])).toEqual(['kind-gatehouse', 'prod']);
  });

  it('writes durations as the shortest text that reads back to the same seconds', () => {
    expect([900, 5400, 14_400, 86_400, 90, 680].map(durationText)).toEqual([
      '15m',
      '90m',
      '4h',
      '1d',
      '90s',
      '680s',
    ]);
    for (const seconds of [60, 680, 3600, 5400, 86_400 * 7, 31_536_000])
      expect(parseDuration(durationText(seconds), 'test')).toBe(seconds);
  });
});

describe.each(dialects)('request options from the flows stored on %s', (dialect) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('reads the stored flows and answers as the pure shaping does', async () => {
    const fresh = await freshStore(dialect);
    cleanup = fresh.cleanup;
    await applyFlows(fresh.store, localPrincipal({ subject: 'root' }), flows);
    const alice = await requestOptions(fresh.store, person('alice'));
    expect(alice).toEqual(requestOptionsOf(flows, person('alice')));
    expect(alice.flows.map((option) => option.flow)).toEqual(['prod-creds']);
    expect((await requestOptions(fresh.store, person('zed', ['devs']))).flows).toHaveLength(2);
  });
});
