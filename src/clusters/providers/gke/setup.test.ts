import { describe, expect, it } from 'vitest';
import { gcpRoles } from './index.js';

describe('least-privilege GCP roles for Gatehouse on GKE', () => {
  it('gives inventory a custom role with only the cluster reads Gatehouse calls, and the commands to apply it', () => {
    const document = gcpRoles({ for: 'inventory', project: 'acme-prod' });
    expect(document.customRole).toMatchObject({ roleId: 'gatehouseInventory', stage: 'GA' });
    expect(document.customRole.includedPermissions).toEqual([
      'container.clusters.list',
      'container.clusters.get',
    ]);
    expect(document.predefinedRoles.map((role) => role.role)).toEqual(['roles/container.clusterViewer']);
    expect(document.commands[0]).toContain('gcloud iam roles create gatehouseInventory --project=acme-prod');
    expect(document.commands[1]).toContain(
      '--member=serviceAccount:gatehouse@acme-prod.iam.gserviceaccount.com --role=projects/acme-prod/roles/gatehouseInventory',
    );
  });

  it('asks nothing for the DNS endpoint Gatehouse does not use, and warns off IAM roles that reach into clusters', () => {
    for (const purpose of ['access', 'forensics'] as const) {
      const document = gcpRoles({ for: purpose, project: 'acme-prod', member: 'group:sec@acme.example' });
      expect(document.customRole.includedPermissions).toEqual([
        'container.clusters.list',
        'container.clusters.get',
      ]);
      expect(document.commands[1]).toContain('--member=group:sec@acme.example');
      expect(document.notes.join(' ')).toContain('roles/container.viewer');
      expect(Object.keys(document.why)).toEqual(document.customRole.includedPermissions);
    }
  });

  it('refuses a project display name', () => {
    expect(() => gcpRoles({ for: 'access', project: 'Acme Production' })).toThrow(/not a GCP project ID/);
  });
});
