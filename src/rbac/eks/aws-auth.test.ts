import { describe, expect, it } from 'vitest';
import { parseAwsAuth } from './aws-auth.js';
import { canonicalizeArn, renderTemplate, resolveIamPrincipal } from './identity.js';

const data = {
  mapRoles: `- rolearn: arn:aws:iam::111122223333:role/eks-node
  username: system:node:{{EC2PrivateDNSName}}
  groups: [system:bootstrappers, system:nodes]
- rolearn: arn:aws:iam::111122223333:role/Admin
  username: admin:{{SessionName}}
  groups: [platform-admins]
- rolearn: arn:aws:iam::111122223333:role/team/Pathy
  username: pathy
`,
  mapUsers: `- userarn: arn:aws:iam::111122223333:user/alice
  username: alice
  groups: [devs]
`,
  mapAccounts: `- "444455556666"\n`,
};

describe('parseAwsAuth', () => {
  it('reads mapRoles, mapUsers and mapAccounts', () => {
    const auth = parseAwsAuth(data);
    expect(auth.mapRoles.map((role) => role.username)).toEqual([
      'system:node:{{EC2PrivateDNSName}}',
      'admin:{{SessionName}}',
      'pathy',
    ]);
    expect(auth.mapUsers).toEqual([
      { userarn: 'arn:aws:iam::111122223333:user/alice', username: 'alice', groups: ['devs'] },
    ]);
    expect(auth.mapAccounts).toEqual(['444455556666']);
  });

  it('warns that a role ARN with a path never matches', () => {
    expect(parseAwsAuth(data).problems).toEqual([
      { key: 'mapRoles', entry: 2, line: 7, message: expect.stringContaining('includes a role path') },
    ]);
  });

  it('reports a malformed key with its line and still reads the others', () => {
    const auth = parseAwsAuth({
      ...data,
      mapRoles: '- rolearn: arn:aws:iam::1:role/x\n  username: [unclosed\n',
    });
    expect(auth.mapRoles).toEqual([]);
    expect(auth.mapUsers).toHaveLength(1);
    expect(auth.problems[0]).toMatchObject({
      key: 'mapRoles',
      message: expect.stringContaining('not valid YAML'),
    });
    expect(auth.problems[0]?.line).toBeGreaterThan(0);
  });

  it('skips a malformed entry and keeps the rest', () => {
    const auth = parseAwsAuth({
      mapUsers:
        '- userarn: arn:aws:iam::1:user/a\n  username: a\n- username: b\n- userarn: arn:aws:iam::1:user/c\n  username: c\n  groups: g\n',
    });
    expect(auth.mapUsers.map((user) => user.username)).toEqual(['a']);
    expect(auth.problems.map((problem) => [problem.entry, problem.line])).toEqual([
      [1, 3],
      [2, 4],
    ]);
  });

  it('rejects a key that is not a list and an account that is not 12 digits', () => {
    const auth = parseAwsAuth({ mapRoles: 'rolearn: x\n', mapAccounts: '- "12"\n' });
    expect(auth.problems.map((problem) => problem.message)).toEqual([
      'mapRoles must be a YAML list',
      'entry 0 is not a 12-digit account ID',
    ]);
  });
});

describe('EKS identity mapping', () => {
  const awsAuth = parseAwsAuth(data);

  it('canonicalises assumed-role and pathed role ARNs', () => {
    expect(canonicalizeArn('arn:aws:sts::111122223333:assumed-role/Admin/jane@example.com')).toEqual({
      canonical: 'arn:aws:iam::111122223333:role/Admin',
      sessionName: 'jane@example.com',
    });
    expect(canonicalizeArn('arn:aws:iam::111122223333:role/team/Pathy')?.canonical).toBe(
      'arn:aws:iam::111122223333:role/Pathy',
    );
    expect(canonicalizeArn('arn:aws:s3:::bucket')).toBeUndefined();
  });

  it('renders SessionName with @ replaced and SessionNameRaw as is', () => {
    expect(
      renderTemplate('{{SessionName}}/{{SessionNameRaw}}/{{AccountID}}', {
        SessionName: 'a-b',
        SessionNameRaw: 'a@b',
        AccountID: '1',
      }).text,
    ).toBe('a-b/a@b/1');
    expect(renderTemplate('{{EC2PrivateDNSName}}', {}).unresolved).toEqual(['EC2PrivateDNSName']);
  });

  it('maps an assumed-role session through mapRoles, case-insensitively', () => {
    const identity = resolveIamPrincipal(
      { arn: 'arn:aws:sts::111122223333:assumed-role/ADMIN/jane@example.com' },
      { awsAuth },
    );
    expect(identity).toMatchObject({
      username: 'admin:jane-example.com',
      groups: ['platform-admins'],
      source: 'aws-auth mapRoles',
    });
  });

  it('maps an IAM user through mapUsers and an unknown principal of a mapped account to its ARN', () => {
    expect(resolveIamPrincipal({ arn: 'arn:aws:iam::111122223333:user/alice' }, { awsAuth })?.username).toBe(
      'alice',
    );
    expect(resolveIamPrincipal({ arn: 'arn:aws:iam::444455556666:user/bob' }, { awsAuth })).toMatchObject({
      username: 'arn:aws:iam::444455556666:user/bob',
      groups: [],
      source: 'aws-auth mapAccounts',
    });
    expect(resolveIamPrincipal({ arn: 'arn:aws:iam::999999999999:user/eve' }, { awsAuth })).toBeUndefined();
  });

  it('never matches a mapRoles entry that carries a role path', () => {
    expect(
      resolveIamPrincipal({ arn: 'arn:aws:sts::111122223333:assumed-role/Pathy/s' }, { awsAuth }),
    ).toBeUndefined();
  });

  it('reports template variables it cannot fill', () => {
    const identity = resolveIamPrincipal({ arn: 'arn:aws:iam::111122223333:role/eks-node' }, { awsAuth });
    expect(identity?.unresolved).toEqual(['EC2PrivateDNSName']);
  });

  it('prefers an access entry over aws-auth in API_AND_CONFIG_MAP mode, with its default username', () => {
    const accessEntries = [
      {
        principalArn: 'arn:aws:iam::111122223333:role/team/Admin',
        type: 'STANDARD' as const,
        kubernetesGroups: ['viewers'],
        policies: [],
      },
    ];
    const identity = resolveIamPrincipal(
      { arn: 'arn:aws:sts::111122223333:assumed-role/Admin/jane' },
      { awsAuth, accessEntries, authenticationMode: 'API_AND_CONFIG_MAP' },
    );
    expect(identity).toMatchObject({
      source: 'access entry',
      username: 'arn:aws:sts::111122223333:assumed-role/Admin/jane',
      groups: ['viewers'],
    });
    expect(
      resolveIamPrincipal(
        { arn: 'arn:aws:sts::111122223333:assumed-role/Admin/jane' },
        { awsAuth, accessEntries, authenticationMode: 'CONFIG_MAP' },
      )?.source,
    ).toBe('aws-auth mapRoles');
  });
});
