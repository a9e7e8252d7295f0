/** What an IAM principal needs so an EKS cluster lets it in as a given user and groups. */
export interface EksMappingRequest {
  readonly principalArn: string;
  readonly cluster: string;
  readonly region?: string;
  readonly username: string;
  readonly groups: readonly string[];
  /** CONFIG_MAP | API_AND_CONFIG_MAP | API; unknown prints every way. */
  readonly authenticationMode?: string;
}

/**
 * `arn:aws:sts::111122223333:assumed-role/gatehouse/session` → `arn:aws:iam::111122223333:role/gatehouse`.
 * STS drops the role's path, so a role under a path must be mapped by its full ARN from IAM.
 */
export function principalOfCaller(callerArn: string): string {
  const assumed = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return assumed ? `arn:${assumed[1]}:iam::${assumed[2]}:role/${assumed[3]}` : callerArn;
}

/** The exact lines that map a principal: an access entry, an aws-auth entry, an eksctl command. */
export function eksMappingInstructions(request: EksMappingRequest): string[] {
  const region = request.region ? ` --region ${request.region}` : '';
  const groups = request.groups;
  const user = /:user\//.test(request.principalArn);
  const accessEntry = [
    `aws eks create-access-entry --cluster-name ${request.cluster}${region} --principal-arn ${request.principalArn} --username ${request.username}${groups.length ? ` --kubernetes-groups ${groups.join(' ')}` : ''}`,
  ];
  const awsAuth = [
    `kube-system/aws-auth ${user ? 'mapUsers' : 'mapRoles'}:`,
    `  - ${user ? 'userarn' : 'rolearn'}: ${request.principalArn}`,
    `    username: ${request.username}`,
    ...(groups.length ? [`    groups: [${groups.join(', ')}]`] : []),
    `or: eksctl create iamidentitymapping --cluster ${request.cluster}${region} --arn ${request.principalArn} --username ${request.username}${groups.map((group) => ` --group ${group}`).join('')}`,
  ];
  switch (request.authenticationMode) {
    case 'API':
      return accessEntry;
    case 'API_AND_CONFIG_MAP':
      return [...accessEntry, 'or, in', ...awsAuth];
    case 'CONFIG_MAP':
      return awsAuth;
    default:
      return [...accessEntry, 'or (CONFIG_MAP clusters), in', ...awsAuth];
  }
}
