import { describe, expect, it } from 'vitest';
import { eksMappingInstructions, principalOfCaller } from './mapping.js';

describe('EKS mapping instructions', () => {
  it('turns an assumed-role caller into the role ARN to map', () => {
    expect(principalOfCaller('arn:aws:sts::111122223333:assumed-role/gatehouse/session-1')).toBe(
      'arn:aws:iam::111122223333:role/gatehouse',
    );
    expect(principalOfCaller('arn:aws:iam::111122223333:user/alice')).toBe(
      'arn:aws:iam::111122223333:user/alice',
    );
  });

  it('gives only the access entry on API clusters and only aws-auth on CONFIG_MAP clusters', () => {
    const request = {
      principalArn: 'arn:aws:iam::1:role/g',
      cluster: 'prod',
      region: 'eu-west-1',
      username: 'gatehouse',
      groups: ['gatehouse:inventory'],
    };
    const api = eksMappingInstructions({ ...request, authenticationMode: 'API' }).join('\n');
    expect(api).toBe(
      'aws eks create-access-entry --cluster-name prod --region eu-west-1 --principal-arn arn:aws:iam::1:role/g --username gatehouse --kubernetes-groups gatehouse:inventory',
    );
    const configMap = eksMappingInstructions({ ...request, authenticationMode: 'CONFIG_MAP' }).join('\n');
    expect(configMap).not.toContain('create-access-entry');
    expect(configMap).toContain('  - rolearn: arn:aws:iam::1:role/g');
    expect(configMap).toContain(
      'eksctl create iamidentitymapping --cluster prod --region eu-west-1 --arn arn:aws:iam::1:role/g --username gatehouse --group gatehouse:inventory',
    );
  });

  it('maps IAM users under mapUsers', () => {
    const lines = eksMappingInstructions({
      principalArn: 'arn:aws:iam::1:user/alice',
      cluster: 'c',
      username: 'alice',
      groups: [],
      authenticationMode: 'CONFIG_MAP',
    });
    expect(lines[0]).toBe('kube-system/aws-auth mapUsers:');
    expect(lines[1]).toBe('  - userarn: arn:aws:iam::1:user/alice');
  });
});
