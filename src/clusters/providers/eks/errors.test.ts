import { ExpiredTokenException } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { awsError, deniedAction } from './errors.js';

const metadata = { $metadata: { httpStatusCode: 403 } };

describe('AWS errors', () => {
  it('says expired credentials must be renewed', () => {
    const error = awsError(
      new ExpiredTokenException({
        message: 'The security token included in the request is expired',
        ...metadata,
      }),
      'listing EKS clusters in eu-west-1',
    );
    expect(error.code).toBe('auth.unauthorized');
    expect(error.describe()).toMatch(
      /^listing EKS clusters in eu-west-1: the AWS credentials have expired\. Renew them/,
    );
  });

  it('names the refused action from the AWS message', () => {
    const message =
      'User: arn:aws:sts::1:assumed-role/gatehouse/s is not authorized to perform: eks:DescribeCluster on resource: arn:aws:eks:eu-west-1:1:cluster/prod';
    expect(deniedAction(message)).toBe('eks:DescribeCluster');
    const error = awsError(
      Object.assign(new Error(message), { name: 'AccessDeniedException', ...metadata }),
      'describing prod',
    );
    expect(error.code).toBe('auth.forbidden');
    expect(error.details.action).toBe('eks:DescribeCluster');
    expect(error.fix).toContain('gatehouse setup aws');
  });

  it('points a refused AssumeRole at the trust policy and the external ID', () => {
    const message =
      'User: arn:aws:iam::1:user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::2:role/gatehouse-inventory';
    const error = awsError(
      Object.assign(new Error(message), { name: 'AccessDenied', ...metadata }),
      'assuming arn:aws:iam::2:role/gatehouse-inventory',
    );
    expect(error.details.action).toBe('sts:AssumeRole');
    expect(error.fix).toContain('trust policy');
    expect(error.fix).toContain('external ID');
    expect(error.fix).toContain('gatehouse setup aws --for <capability>');
  });

  it('calls a failed DNS lookup an unreachable endpoint and points at the region name', () => {
    const error = awsError(
      Object.assign(new Error('getaddrinfo ENOTFOUND eks.xx-nowhere-1.amazonaws.com'), {
        code: 'ENOTFOUND',
        hostname: 'eks.xx-nowhere-1.amazonaws.com',
      }),
      'listing EKS clusters in xx-nowhere-1',
    );
    expect(error.code).toBe('cluster.unreachable');
    expect(error.message).toContain('eks.xx-nowhere-1.amazonaws.com');
    expect(error.fix).toContain('region name');
  });
});
