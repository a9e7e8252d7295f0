import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import { azureRoleDefinition } from './index.js';

const subscription = '0b1f6471-1bf0-4dda-aec3-cb9272f09590';
const runCommand = 'Microsoft.ContainerService/managedClusters/runCommand/action';
const readAndUserCredential = [
  'Microsoft.ContainerService/managedClusters/read',
  'Microsoft.ContainerService/managedClusters/listClusterUserCredential/action',
];

interface RoleDefinition {
  Name: string;
  IsCustom: boolean;
  Description: string;
  Actions: string[];
  NotActions: string[];
  DataActions: string[];
  AssignableScopes: string[];
}

function role(options: Parameters<typeof azureRoleDefinition>[0]): RoleDefinition {
  return azureRoleDefinition(options) as RoleDefinition;
}

describe('Azure role definition', () => {
  it('allows run command only for private clusters, to every capability, and nothing broader', () => {
    const definition = role({ for: 'forensics', subscription, privateClusters: true });
    expect(definition).toMatchObject({
      Name: 'Gatehouse AKS forensics',
      IsCustom: true,
      NotActions: [],
      DataActions: [],
    });
    expect(definition.Actions).toEqual([
      ...readAndUserCredential,
      runCommand,
      'Microsoft.ContainerService/managedClusters/commandResults/read',
    ]);
    expect(definition.AssignableScopes).toEqual([`/subscriptions/${subscription}`]);
    expect(definition.Description).toContain('run command');
    for (const capability of ['inventory', 'access'] as const)
      expect(role({ for: capability, subscription, privateClusters: true }).Actions).toContain(runCommand);
  });

  it('gives every capability only cluster reads and user credentials without --private: the rest is Kubernetes RBAC', () => {
    for (const capability of ['forensics', 'inventory', 'access'] as const) {
      const definition = role({ for: capability, subscription });
      expect(definition.Actions).toEqual(readAndUserCredential);
      expect(definition.Description).not.toBe('');
    }
  });

  it('never grants wildcards or admin credentials unless admin is asked for', () => {
    const actions = (['forensics', 'inventory', 'access'] as const).flatMap(
      (capability) => role({ for: capability, subscription }).Actions,
    );
    expect(actions.some((action) => action.includes('*'))).toBe(false);
    expect(actions.some((action) => action.includes('listClusterAdminCredential'))).toBe(false);
    expect(role({ for: 'inventory', subscription, admin: true }).Actions).toContain(
      'Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action',
    );
  });

  it('scopes the role to a resource group when one is given', () => {
    expect(role({ for: 'access', subscription, resourceGroup: 'rg-prod' }).AssignableScopes).toEqual([
      `/subscriptions/${subscription}/resourceGroups/rg-prod`,
    ]);
  });

  it('refuses a subscription that is not a GUID and a resource group name ARM would refuse', () => {
    expect(() => role({ for: 'access', subscription: 'my-subscription' })).toThrow(AppError);
    expect(() => role({ for: 'access', subscription, resourceGroup: 'rg/../other' })).toThrow(AppError);
    expect(() => role({ for: 'access', subscription, resourceGroup: 'ends-with.' })).toThrow(AppError);
  });
});
