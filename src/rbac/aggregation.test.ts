import { describe, expect, it } from 'vitest';
import { aggregateClusterRoles, selectorMatches } from './aggregation.js';
import { clusterRole } from './test-objects.js';
import type { ClusterRole } from './types.js';

const aggregate = (name: string, selectors: ClusterRole['aggregationRule']): ClusterRole => ({
  ...clusterRole(name, []),
  aggregationRule: selectors,
});
const pods = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
const nodes = { verbs: ['get'], apiGroups: [''], resources: ['nodes'] };

describe('ClusterRole aggregation', () => {
  it('unions the rules of labelled ClusterRoles, without duplicates, in name order', () => {
    const result = aggregateClusterRoles([
      aggregate('monitoring', { clusterRoleSelectors: [{ matchLabels: { agg: 'mon' } }] }),
      clusterRole('z-pods', [pods], { agg: 'mon' }),
      clusterRole('a-nodes', [nodes, pods], { agg: 'mon' }),
      clusterRole('other', [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]),
    ]);
    expect(result[0]?.rules).toEqual([nodes, pods]);
  });

  it('settles aggregates of aggregates', () => {
    const result = aggregateClusterRoles([
      aggregate('outer', { clusterRoleSelectors: [{ matchLabels: { level: 'inner' } }] }),
      {
        ...aggregate('inner', { clusterRoleSelectors: [{ matchLabels: { level: 'leaf' } }] }),
        metadata: { name: 'inner', labels: { level: 'inner' } },
      },
      clusterRole('leaf', [pods], { level: 'leaf' }),
    ]);
    expect(result.find((role) => role.metadata.name === 'outer')?.rules).toEqual([pods]);
  });

  it('evaluates matchExpressions', () => {
    expect(
      selectorMatches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2'] }] }, { a: '2' }),
    ).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, {})).toBe(
      true,
    );
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, {})).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, { a: '' })).toBe(
      false,
    );
  });

  it('treats an empty selector as matching every other ClusterRole', () => {
    const result = aggregateClusterRoles([
      aggregate('all', { clusterRoleSelectors: [{}] }),
      clusterRole('x', [pods]),
    ]);
    expect(result[0]?.rules).toEqual([pods]);
  });
});
