import { capabilityRoles, credentialRoleRules } from './setup.js';

/** Where the Helm chart reads its RBAC rules from (`.Files.Get`), relative to the repository. */
export const chartRbacPath = 'deploy/helm/gatehouse/files/rbac.json';

/**
 * The chart's RBAC definitions: the same capability rules `gatehouse setup rbac` prints, so the
 * ServiceAccount the chart makes holds exactly what the CLI would grant. `npm run chart:rbac`
 * writes them; a unit test fails when the file and these definitions differ.
 */
export function chartRbacDefinitions(): object {
  return {
    $comment: 'Generated from src/cli/commands/setup.ts by `npm run chart:rbac`; do not edit.',
    capabilities: Object.fromEntries(
      Object.entries(capabilityRoles).map(([name, role]) => [
        name,
        { description: role.description, rules: role.rules },
      ]),
    ),
    accessCredentialRules: credentialRoleRules,
  };
}

/** The file's text as the generator writes it. */
export function chartRbacText(): string {
  return `${JSON.stringify(chartRbacDefinitions(), null, 2)}\n`;
}
