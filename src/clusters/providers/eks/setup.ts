import { AppError } from '../../../errors.js';

export type Capability = 'forensics' | 'inventory' | 'access';

export interface AwsSetupOptions {
  readonly for: Capability;
  /** The account Gatehouse runs in (the trust policy's principal); a placeholder when unknown. */
  readonly trustedPrincipal?: string;
  readonly externalId: string;
  /** Access: the only EKS access policies Gatehouse may associate (default: view and edit). */
  readonly accessPolicies?: readonly string[];
  /** Access: the IAM principals Gatehouse may give access entries to (ARN patterns with *). */
  readonly principalPatterns?: readonly string[];
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
    case 'access': {
      const principals = { ArnLike: { 'eks:principalArn': options.principalPatterns ?? [] } };
      if (!options.principalPatterns?.length)
        throw new AppError(
          'input.invalid',
          'the access policy must name the IAM principals Gatehouse may grant to',
          {
            fix: 'Apply your flows first (their eks.principalArn), or pass --principal-pattern arn:aws:iam::ACCOUNT:role/oncall-*',
          },
        );
      return [
        discover,
        { Sid: 'ReadAccessEntries', Effect: 'Allow', Action: readEntries, Resource: '*' },
        {
          // Plain STANDARD entries for the requesters' principals only: no Kubernetes groups, no
          // username, no node entries, so an entry alone grants nothing beyond its access policy.
          Sid: 'CreateRequesterEntries',
          Effect: 'Allow',
          Action: 'eks:CreateAccessEntry',
          Resource: '*',
          Condition: {
            ...principals,
            StringEquals: { 'eks:accessEntryType': 'STANDARD' },
            Null: { 'eks:kubernetesGroups': 'true', 'eks:username': 'true' },
          },
        },
        {
          Sid: 'DeleteRequesterEntries',
          Effect: 'Allow',
          Action: 'eks:DeleteAccessEntry',
          Resource: '*',
          Condition: principals,
        },
        {
          // Only the listed access policies: Gatehouse cannot hand out cluster-admin through AWS.
          Sid: 'AssociateOfferedPolicies',
          Effect: 'Allow',
          Action: ['eks:AssociateAccessPolicy', 'eks:DisassociateAccessPolicy'],
          Resource: '*',
          Condition: {
            ...principals,
            StringEquals: { 'eks:policyArn': options.accessPolicies ?? defaultAccessPolicies },
          },
        },
      ];
    }
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
