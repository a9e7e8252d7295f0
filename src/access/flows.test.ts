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
      'spec.namespaces: is required for namespace-scoped roles',
    );
  });

  it('reads durations', () => {
    expect(parseDuration('90m', 'x')).toBe(5400);
    expect(() => parseDuration('0m', 'x')).toThrow('must be positive');
  });
});
