import { AppError } from '../../../errors.js';

/** The Gatehouse capability an Azure role is made for. */
export type AzureRoleCapability = 'forensics' | 'inventory' | 'access';

export interface AzureRoleOptions {
  readonly for: AzureRoleCapability;
  readonly subscription: string;
  /** Scope the role to one resource group (then give the provider the same resourceGroup). */
  readonly resourceGroup?: string;
  /** Also allow the cluster admin credentials, for a provider configured with `admin: true`. */
  readonly admin?: boolean;
  /**
   * Private clusters this machine cannot reach: allow run command, through which every capability
   * then reaches the API server (Gatehouse tries a direct connection first).
   */
  readonly privateClusters?: boolean;
}

const clusters = 'Microsoft.ContainerService/managedClusters';
const read = `${clusters}/read`;
const userCredential = `${clusters}/listClusterUserCredential/action`;
const adminCredential = `${clusters}/listClusterAdminCredential/action`;

// What each capability does through ARM. Everything inside the cluster (pods, RBAC, bindings) is
// granted by Kubernetes RBAC (`gatehouse setup rbac <capability>`), so no DataActions are needed.
const capabilities: Record<
  AzureRoleCapability,
  { readonly purpose: string; readonly actions: readonly string[] }
> = {
  inventory: {
    purpose: 'find AKS clusters and fetch a kubeconfig to read their identities and RBAC',
    actions: [read, userCredential],
  },
  access: {
    purpose:
      'find AKS clusters and fetch a kubeconfig; the just-in-time bindings themselves are written with Kubernetes RBAC',
    actions: [read, userCredential],
  },
  forensics: {
    purpose: 'find AKS clusters and fetch a kubeconfig to acquire evidence from their containers',
    actions: [read, userCredential],
  },
};

const runCommand = [`${clusters}/runCommand/action`, `${clusters}/commandResults/read`];

const subscriptionPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// ARM's rule: up to 90 letters, digits, underscores, hyphens, periods and parentheses, not ending in a period.
const resourceGroupPattern = /^[\p{L}\p{N}_.()-]{0,89}[\p{L}\p{N}_()-]$/u;

function checkScope(options: AzureRoleOptions): string {
  if (!subscriptionPattern.test(options.subscription))
    throw new AppError('input.invalid', `"${options.subscription}" is not an Azure subscription ID`, {
      fix: 'Pass the subscription GUID (az account show --query id)',
    });
  const subscription = `/subscriptions/${options.subscription.toLowerCase()}`;
  if (options.resourceGroup === undefined) return subscription;
  if (!resourceGroupPattern.test(options.resourceGroup))
    throw new AppError('input.invalid', `"${options.resourceGroup}" is not an Azure resource group name`, {
      fix: 'Pass the resource group name as az group list shows it',
    });
  return `${subscription}/resourceGroups/${options.resourceGroup}`;
}

/**
 * A least-privilege Azure custom role for what Gatehouse does through Azure Resource Manager, in
 * the JSON `az role definition create --role-definition` reads. Role names are unique per
 * tenant: for more subscriptions, add their scopes to AssignableScopes of the one role.
 *
 * @example
 * const role = azureRoleDefinition({ for: 'forensics', subscription: '0b1f6471-1bf0-4dda-aec3-cb9272f09590' });
 * // az role definition create --role-definition @role.json
 * // az role assignment create --assignee <principal> --role "Gatehouse AKS forensics" --scope /subscriptions/…
 */
export function azureRoleDefinition(options: AzureRoleOptions): object {
  const scope = checkScope(options);
  const capability = capabilities[options.for];
  if (!capability)
    throw new AppError('input.invalid', `unknown capability "${options.for}"`, {
      fix: `Use one of ${Object.keys(capabilities).join(', ')}`,
    });
  return {
    Name: `Gatehouse AKS ${options.for}${options.admin ? ' (admin)' : ''}`,
    IsCustom: true,
    Description: `Lets Gatehouse ${capability.purpose}${options.admin ? ', using the cluster admin credentials' : ''}${options.privateClusters ? ', going through AKS run command when the API server is private' : ''}.`,
    Actions: [
      ...new Set([
        ...capability.actions,
        ...(options.admin ? [adminCredential] : []),
        ...(options.privateClusters ? runCommand : []),
      ]),
    ],
    NotActions: [],
    DataActions: [],
    NotDataActions: [],
    AssignableScopes: [scope],
  };
}
