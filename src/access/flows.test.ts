import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type AccessFlow,
  accessPolicyArn,
  matches,
  namespaceAllowed,
  parseDuration,
  parseFlowFile,
  parseRoleReference,
  principalArnFor,
} from './flows.js';

const flow = (spec: string) => `kind: AccessFlow\nmetadata: {name: f}\nspec:\n${spec}`;
const base =
  '  requesters: {groups: [devs]}\n  namespaces: [dev-*]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {groups: [leads], required: 2}\n  maxDuration: 4h\n';

describe('access flows', () => {
  it('parses a flow with defaults', () => {
    const [parsed] = parseFlowFile(flow(base), 'f.yaml');
    expect(parsed).toMatchObject({
      name: 'f',
      clusters: ['*'],
      approvers: { required: 2 },
      maxDurationSeconds: 14_400,
      justificationRequired: true,
    });
    expect(namespaceAllowed(parsed!, 'dev-a')).toBe(true);
    expect(namespaceAllowed(parsed!, 'prod')).toBe(false);
  });

  it('names the field and the reason of every mistake', () => {
    expect(() => parseFlowFile(flow(`${base}  approver: {}\n`), 'f.yaml')).toThrow(
      'f.yaml: flow f: spec.approver: unknown field',
    );
    expect(() => parseFlowFile(flow(base.replace('4h', '4 hours')), 'f.yaml')).toThrow(
      'spec.maxDuration: "4 hours" is not a duration',
    );
    expect(() => parseFlowFile(flow(base.replace('required: 2', 'required: 0')), 'f.yaml')).toThrow(
      'spec.approvers.required: must be a whole number ≥ 1',
    );
    expect(() => parseFlowFile(flow(base.replace('  requesters: {groups: [devs]}\n', '')), 'f.yaml')).toThrow(
      'spec.requesters: names nobody',
    );
    expect(() => parseFlowFile(flow(base.replace('  namespaces: [dev-*]\n', '')), 'f.yaml')).toThrow(
      'spec.namespaces: namespaces or namespaceSelector is required for namespace-scoped roles',
    );
  });

  it('reads durations', () => {
    expect(parseDuration('90m', 'x')).toBe(5400);
    expect(() => parseDuration('0m', 'x')).toThrow('must be positive');
  });
});

describe('namespace selectors and credential mode', () => {
  const base = (extra: string) =>
    parseFlowFile(
      `kind: AccessFlow\nmetadata: {name: f}\nspec:\n  requesters: {users: [a]}\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {users: [b]}\n  maxDuration: 2h\n${extra}`,
      'test',
    )[0]!;

  it('matches namespaces by label when the flow has a selector, and never without labels', () => {
    const flow = base(
      '  namespaceSelector: {matchLabels: {team: payments}, matchExpressions: [{key: tier, operator: NotIn, values: [prod]}]}\n',
    );
    expect(namespaceAllowed(flow, 'pay-1', { team: 'payments', tier: 'dev' })).toBe(true);
    expect(namespaceAllowed(flow, 'pay-2', { team: 'payments', tier: 'prod' })).toBe(false);
    expect(namespaceAllowed(flow, 'pay-1', undefined)).toBe(false);
  });

  it('rejects selectors that would match everything or use unknown operators', () => {
    expect(() => base('  namespaceSelector: {}\n')).toThrow('namespaceSelector: is empty');
    expect(() => base('  namespaceSelector: {matchExpressions: [{key: a, operator: Like}]}\n')).toThrow(
      'matchExpressions[0].operator',
    );
  });

  it('defaults to binding mode and checks the credential namespace', () => {
    expect(base('  namespaces: [x]\n').mode).toBe('binding');
    const flow = base('  namespaces: [x]\n  mode: credential\n');
    expect(flow).toMatchObject({ mode: 'credential', credentialNamespace: 'gatehouse-access' });
    expect(() => base('  namespaces: [x]\n  mode: token\n')).toThrow(
      'mode: must be one of binding, credential, aws-auth, access-entry',
    );
    expect(() => base('  namespaces: [x]\n  credentialNamespace: Not_OK\n')).toThrow('credentialNamespace');
  });

  it('EKS modes: access policies only in access-entry mode, a principal template naming the requester', () => {
    const eks = (spec: string) => parseFlowFile(flow(spec), 'f.yaml')[0]!;
    const plain =
      '  requesters: {groups: [devs]}\n  namespaces: [dev-*]\n  roles: [{kind: ClusterRole, name: edit}]\n  approvers: {groups: [leads]}\n  maxDuration: 4h\n';
    const entry = eks(
      "  requesters: {groups: [devs]}\n  namespaces: [dev]\n  roles: [{kind: AccessPolicy, name: AmazonEKSEditPolicy}]\n  approvers: {users: [lead]}\n  maxDuration: 1h\n  mode: access-entry\n  eks: {principalArn: 'arn:aws:iam::111122223333:role/oncall-{user}'}\n",
    );
    expect(principalArnFor(entry, 'alice')).toBe('arn:aws:iam::111122223333:role/oncall-alice');
    expect(() => principalArnFor(entry, 'bob smith')).toThrow('cannot be part of an IAM principal name');
    expect(() => principalArnFor(entry, 'ops/alice')).toThrow('cannot be part of an IAM principal name');
    expect(accessPolicyArn('AmazonEKSEditPolicy')).toBe(
      'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy',
    );
    expect(() =>
      eks(`${plain}  mode: access-entry\n  eks: {principalArn: "arn:aws:iam::111122223333:role/x-{user}"}\n`),
    ).toThrow('AccessPolicy roles go with mode access-entry');
    expect(() => eks(`${plain}  mode: aws-auth\n`)).toThrow('eks.principalArn: is required in mode aws-auth');
    expect(() =>
      eks(`${plain}  mode: aws-auth\n  eks: {principalArn: "arn:aws:iam::111122223333:role/shared"}\n`),
    ).toThrow('must be an IAM ARN containing {user}');
    expect(() => eks(`${plain}  eks: {principalArn: "arn:aws:iam::111122223333:role/x-{user}"}\n`)).toThrow(
      'applies only to modes aws-auth and access-entry',
    );
  });

  it('reads role references as kubectl-like KIND/NAME', () => {
    expect(parseRoleReference('edit')).toEqual({ kind: 'ClusterRole', name: 'edit' });
    expect(parseRoleReference('AccessPolicy/AmazonEKSViewPolicy')).toEqual({
      kind: 'AccessPolicy',
      name: 'AmazonEKSViewPolicy',
    });
    expect(() => parseRoleReference('Group/x')).toThrow('"Group/x" is not a role');
    expect(
      parseRoleReference('AccessPolicy/arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy'),
    ).toEqual({
      kind: 'AccessPolicy',
      name: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
    });
  });
});

describe('the example flows shipped in examples/flows.yaml', () => {
  it('parse, and mean what their comments say', () => {
    const file = fileURLToPath(new URL('../../examples/flows.yaml', import.meta.url));
    const flows = parseFlowFile(readFileSync(file, 'utf8'), file);
    expect(flows.map((flow) => [flow.name, flow.mode])).toEqual([
      ['payments-oncall', 'binding'],
      ['data-view', 'binding'],
      ['audit-readonly', 'credential'],
      ['eks-payments-edit', 'access-entry'],
    ]);
    const [oncall, data, audit, eks] = flows as [AccessFlow, AccessFlow, AccessFlow, AccessFlow];
    expect(oncall.maxDurationSeconds).toBe(4 * 3600);
    expect(namespaceAllowed(oncall, 'payments-eu')).toBe(true);
    expect(namespaceAllowed(oncall, 'billing')).toBe(false);
    expect(matches(oncall.breakGlass, 'alice@example.com', [])).toBe(true);
    expect(namespaceAllowed(data, 'lake', { team: 'data' })).toBe(true);
    expect(namespaceAllowed(data, 'lake', { team: 'data', environment: 'restricted' })).toBe(false);
    expect(matches(data.autoApprove, 'x', ['contractors'])).toBe(false);
    expect(data.approvers.required).toBe(2);
    expect(audit.roles).toEqual([{ kind: 'ClusterRole', name: 'view', scope: 'cluster' }]);
    expect(principalArnFor(eks, 'bob')).toBe('arn:aws:iam::111122223333:role/oncall-bob');
  });
});
