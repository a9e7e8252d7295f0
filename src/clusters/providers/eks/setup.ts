export type Capability = 'forensics' | 'inventory' | 'access';

export interface AwsSetupOptions {
  readonly for: Capability;
  /** The account Gatehouse runs in (the trust policy's principal); a placeholder when unknown. */
  readonly trustedPrincipal?: string;
  readonly externalId: string;
  /** Access: the only EKS access policies Gatehouse may associate (default: view and edit). */
  readonly accessPolicies?: readonly string[];
}

const read = ['eks:ListClusters', 'eks:DescribeCluster'];
const readEntries = ['eks:ListAccessEntries', 'eks:DescribeAccessEntry', 'eks:ListAssociatedAccessPolicies'];
const defaultAccessPolicies = [
  'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
  'arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy',
];

function statements(options: AwsSetupOptions): object[] {
  const discover = { Sid: 'DiscoverClusters', Effect: 'Allow', Action: read, Resource: '*' };
  switch (options.for) {
    case 'forensics':
      // The collector runs through the Kubernetes API; AWS is only asked where the cluster is.
      return [discover];
    case 'inventory':
      return [discover, { Sid: 'ReadAccessEntries', Effect: 'Allow', Action: readEntries, Resource: '*' }];
    case 'access':
      return [
        discover,
        { Sid: 'ReadAccessEntries', Effect: 'Allow', Action: readEntries, Resource: '*' },
        {
          Sid: 'ManageAccessEntries',
          Effect: 'Allow',
          Action: ['eks:CreateAccessEntry', 'eks:DeleteAccessEntry', 'eks:TagResource'],
          Resource: '*',
        },
        {
          // Only the listed access policies: Gatehouse cannot hand out cluster-admin through AWS.
          Sid: 'AssociateOfferedPolicies',
          Effect: 'Allow',
          Action: ['eks:AssociateAccessPolicy', 'eks:DisassociateAccessPolicy'],
          Resource: '*',
          Condition: { StringEquals: { 'eks:policyArn': options.accessPolicies ?? defaultAccessPolicies } },
        },
      ];
    default: {
      const never: never = options.for;
      throw new Error(`unknown capability ${String(never)}`);
    }
  }
}

/**
 * The least-privilege IAM documents for one capability: the permissions policy of the role
 * Gatehouse assumes, and its trust policy, which only lets the Gatehouse account in with the
 * external ID (the confused-deputy guard).
 */
export function awsSetupDocuments(options: AwsSetupOptions): {
  readonly policy: object;
  readonly trustPolicy: object;
} {
  return {
    policy: { Version: '2012-10-17', Statement: statements(options) },
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: options.trustedPrincipal ?? 'arn:aws:iam::GATEHOUSE_ACCOUNT_ID:root' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': options.externalId } },
        },
      ],
    },
  };
}
