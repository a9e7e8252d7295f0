import { describe, expect, it } from 'vitest';
import { namespaceAllowed, parseDuration, parseFlowFile } from './flows.js';

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
    expect(() => base('  namespaces: [x]\n  mode: token\n')).toThrow('mode: must be binding or credential');
    expect(() => base('  namespaces: [x]\n  credentialNamespace: Not_OK\n')).toThrow('credentialNamespace');
  });
});
