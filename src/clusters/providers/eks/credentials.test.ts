import { describe, expect, it } from 'vitest';
import { AppError } from '../../../errors.js';
import { inFirstRegionThatAnswers, stsRegionsOf } from './credentials.js';

describe('where Gatehouse calls STS', () => {
  it('prefers the configured region, then AWS_REGION, then the account regions in order', () => {
    expect(stsRegionsOf({ stsRegion: 'eu-central-1', stsRegions: ['us-east-1'] }, {})).toEqual([
      'eu-central-1',
    ]);
    expect(stsRegionsOf({ stsRegions: ['me-south-1', 'eu-west-1'] }, { AWS_REGION: 'eu-west-1' })).toEqual([
      'eu-west-1',
      'me-south-1',
    ]);
    expect(stsRegionsOf({}, {})).toEqual(['us-east-1']);
  });

  it('moves past a region that does not answer, so one region cannot hide the others', async () => {
    const tried: string[] = [];
    const answer = await inFirstRegionThatAnswers(
      ['me-south-1', 'eu-west-1', 'us-east-1'],
      async (region) => {
        tried.push(region);
        if (region === 'me-south-1') throw new AppError('auth.unauthorized', 'region not enabled');
        return `credentials from ${region}`;
      },
    );
    expect(answer).toBe('credentials from eu-west-1');
    expect(tried).toEqual(['me-south-1', 'eu-west-1']);
  });

  it('stops at a refusal, which every region would repeat, and reports the first error when all fail', async () => {
    const tried: string[] = [];
    await expect(
      inFirstRegionThatAnswers(['eu-west-1', 'us-east-1'], async (region) => {
        tried.push(region);
        throw new AppError('auth.forbidden', 'not authorized to perform: sts:AssumeRole');
      }),
    ).rejects.toMatchObject({ code: 'auth.forbidden' });
    expect(tried).toEqual(['eu-west-1']);
    await expect(
      inFirstRegionThatAnswers(['eu-west-1', 'us-east-1'], async (region) => {
        throw new AppError('cluster.unreachable', `sts.${region}.amazonaws.com unreachable`);
      }),
    ).rejects.toThrow('sts.eu-west-1.amazonaws.com unreachable');
  });
});
