import type { AwsAuth } from './eks/aws-auth.js';
import type { RiskFinding } from './risk-checks/index.js';

/** What only the aws-auth ConfigMap can grant: system:masters mappings and whole accounts. */
export function awsAuthRisks(awsAuth: AwsAuth | undefined): RiskFinding[] {
  if (!awsAuth) return [];
  const findings: RiskFinding[] = [];
  const mappings = [
    ...awsAuth.mapRoles.map((mapping, entry) => ({
      arn: mapping.rolearn,
      groups: mapping.groups,
      where: `aws-auth mapRoles[${entry}]`,
    })),
    ...awsAuth.mapUsers.map((mapping, entry) => ({
      arn: mapping.userarn,
      groups: mapping.groups,
      where: `aws-auth mapUsers[${entry}]`,
    })),
  ];
  for (const mapping of mappings) {
    if (!mapping.groups.includes('system:masters')) continue;
    findings.push({
      check: 'system-masters-mapping',
      severity: 'critical',
      title: 'IAM principal mapped to system:masters (superuser that no RBAC change can limit)',
      subject: mapping.arn,
      namespace: undefined,
      path: `${mapping.where} → group system:masters`,
    });
  }
  for (const account of awsAuth.mapAccounts) {
    findings.push({
      check: 'map-accounts',
      severity: 'medium',
      title: 'every IAM principal of an AWS account can authenticate (mapAccounts)',
      subject: `account ${account}`,
      namespace: undefined,
      path: 'aws-auth mapAccounts',
    });
  }
  return findings;
}
