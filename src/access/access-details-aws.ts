import type { AccessStep, DetailsSource } from './access-details.js';
import type { AccessRequest } from './requests.js';
import { shellWord } from './shell-word.js';

/** An EKS cluster as Gatehouse names it: `eks/ACCOUNT/REGION/NAME` (see the EKS provider). */
export function eksClusterOf(cluster: string): { account: string; region: string; name: string } | undefined {
  const match = /^eks\/(\d{12})\/([a-z0-9-]+)\/([A-Za-z0-9][A-Za-z0-9_-]*)$/.exec(cluster);
  return match ? { account: match[1]!, region: match[2]!, name: match[3]! } : undefined;
}

/**
 * The IAM role session name: the requester and the request, so CloudTrail ties each call to both.
 * IAM allows 2 to 64 of `[\w+=,.@-]`; anything else in the user name is replaced.
 */
export function roleSessionName(request: Pick<AccessRequest, 'id' | 'requester'>): string {
  const user = request.requester.replace(/[^\w+=,.@-]/g, '-');
  return `gatehouse-${request.id.slice(0, 8)}-${user}`.slice(0, 64);
}

/**
 * aws-auth and access-entry modes: the grant went to the requester's IAM principal, so they act
 * as it: assume the role (or use the user's keys), write a kubeconfig for the EKS cluster with
 * that role, and check what it allows. Every value comes from the request; none is a secret.
 */
export function awsSteps(request: DetailsSource, canIList: string): AccessStep[] {
  const arn = request.principalArn;
  if (!arn)
    return [
      {
        kind: 'note',
        text: `Request ${request.id} names no IAM principal; ask an administrator to check its flow.`,
      },
    ];
  const eks = eksClusterOf(request.cluster);
  const alias = `gatehouse-${request.id.slice(0, 8)}`;
  const isRole = /^arn:aws[a-z-]*:iam::\d{12}:role\//.test(arn);
  const how =
    request.mode === 'aws-auth'
      ? `mapped in aws-auth to the cluster user ${request.requester}`
      : `given an EKS access entry with the access policy ${request.role.name}`;
  const steps: AccessStep[] = [
    {
      kind: 'note',
      text: `The grant went to your IAM ${isRole ? 'role' : 'user'} ${arn}, ${how}, until ${request.expiresAt}.`,
    },
  ];
  if (isRole) steps.push(...assumeRoleSteps(request, arn, alias, eks?.region));
  else
    steps.push({
      kind: 'note',
      text: `${arn} is an IAM user: use its own access keys (for example a profile in ~/.aws/credentials) for the commands below.`,
    });
  const location = eks
    ? `--name ${shellWord(eks.name)} --region ${shellWord(eks.region)}`
    : '--name EKS_CLUSTER_NAME --region REGION';
  if (!eks)
    steps.push({
      kind: 'note',
      text: `Gatehouse reaches ${request.cluster} through a kubeconfig context, so it does not know the cluster's EKS name and region: put them in place of EKS_CLUSTER_NAME and REGION.`,
    });
  steps.push({
    kind: 'commands',
    text: `Write a kubeconfig context ${alias} that authenticates as ${isRole ? 'the role' : 'the user'}, then check what it may do:`,
    commands: [
      `aws eks update-kubeconfig ${location}${isRole ? ` --role-arn ${shellWord(arn)}` : ''} --alias ${alias}`,
      canIList.replace(/^kubectl /, `kubectl --context ${alias} `),
    ],
  });
  return steps;
}

function assumeRoleSteps(
  request: DetailsSource,
  arn: string,
  alias: string,
  region: string | undefined,
): AccessStep[] {
  const session = roleSessionName(request);
  return [
    {
      kind: 'commands',
      text: 'Assume the role by hand (its temporary keys come back as JSON):',
      commands: [
        `aws sts assume-role --role-arn ${shellWord(arn)} --role-session-name ${shellWord(session)}`,
      ],
    },
    {
      kind: 'file',
      text: `Or add a profile that assumes it for you (from your default profile), and use it with --profile ${alias} or AWS_PROFILE=${alias}:`,
      path: '~/.aws/config',
      content: [
        `[profile ${alias}]`,
        `role_arn = ${arn}`,
        `role_session_name = ${session}`,
        'source_profile = default',
        ...(region ? [`region = ${region}`] : []),
        '',
      ].join('\n'),
    },
  ];
}
