import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chartRbacDefinitions, chartRbacPath, chartRbacText } from './chart-rbac.js';
import { capabilityRoles, rbacDocuments } from './setup.js';

describe('the Helm chart RBAC file', () => {
  it('holds exactly the rules `gatehouse setup rbac` grants (npm run chart:rbac regenerates it)', () => {
    const file = readFileSync(chartRbacPath, 'utf8');
    expect(file, `${chartRbacPath} drifted from src/cli/commands/setup.ts: run npm run chart:rbac`).toBe(
      chartRbacText(),
    );
  });

  it('carries every capability with the rules of its setup rbac ClusterRole and credential Role', () => {
    const file = JSON.parse(readFileSync(chartRbacPath, 'utf8')) as {
      capabilities: Record<string, { rules: object[] }>;
      accessCredentialRules: object[];
    };
    expect(Object.keys(file.capabilities).sort()).toEqual(Object.keys(capabilityRoles).sort());
    for (const capability of Object.keys(capabilityRoles)) {
      const [clusterRole] = rbacDocuments(capability, 'gatehouse', { bindable: ['view'] }) as {
        rules: object[];
      }[];
      const bind = capability === 'access' || capability === 'reviews' ? 1 : 0;
      expect(file.capabilities[capability]?.rules).toEqual(clusterRole?.rules.slice(0, -bind || undefined));
    }
    const access = rbacDocuments('access', 'gatehouse', { bindable: ['view'] }) as {
      kind: string;
      rules?: object[];
    }[];
    expect(file.accessCredentialRules).toEqual(access.find((document) => document.kind === 'Role')?.rules);
    expect(chartRbacDefinitions()).toEqual(file);
  });
});
