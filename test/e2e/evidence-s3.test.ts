import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cli } from '../support/cli.js';
import { type RunningMoto, startMoto } from '../support/moto.js';

const kubeconfig = inject('kubeconfig');
let moto: RunningMoto;
const env = () => ({
  GATEHOUSE_HOME: join(tmpdir(), `gatehouse-s3-${process.pid}`),
  GATEHOUSE_S3_ENDPOINT: moto.endpoint,
});

beforeAll(async () => {
  moto = await startMoto();
  const s3 = new S3Client({ endpoint: moto.endpoint, forcePathStyle: true, region: 'us-east-1' });
  await s3.send(new CreateBucketCommand({ Bucket: 'evidence' }));
});
afterAll(() => moto?.stop());

describe('evidence in S3-compatible storage (moto)', () => {
  it('uploads the package, records keys and ETags in custody, and verifies the remote copy', async () => {
    const run = await cli(
      [
        '--kubeconfig',
        kubeconfig,
        'acquire',
        'debug-shell',
        '-n',
        'dev',
        '--s3-bucket',
        'evidence',
        '--s3-prefix',
        'cases/42',
        '-o',
        'json',
      ],
      env(),
    );
    expect(run.stderr).not.toContain('error:');
    const [item] = JSON.parse(run.stdout).items;
    const custody = JSON.parse(readFileSync(join(item.root, 'custody.json'), 'utf8'));
    expect(custody.storage.bucket).toBe('evidence');
    const keys = custody.storage.objects.map((object: { key: string }) => object.key);
    expect(keys).toContain(`cases/42/${item.package}/manifest.json`);
    expect(keys).toContain(`cases/42/${item.package}/files/etc/passwd`);
    expect(
      custody.storage.objects.every((object: { etag: string }) => /^[0-9a-f]{32}(-\d+)?$/.test(object.etag)),
    ).toBe(true);
    const verify = await cli(['evidence', 'verify', item.package, '--remote'], env());
    expect(verify.stdout).toMatch(/^VERIFIED/);

    const s3 = new S3Client({ endpoint: moto.endpoint, forcePathStyle: true, region: 'us-east-1' });
    await s3.send(
      new PutObjectCommand({
        Bucket: 'evidence',
        Key: `cases/42/${item.package}/files/etc/passwd`,
        Body: 'tampered\n',
      }),
    );
    const tampered = await cli(['evidence', 'verify', item.package, '--remote'], env());
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`s3://cases/42/${item.package}/files/etc/passwd: modified`);
  });

  it('says which bucket is missing and how to fix it', async () => {
    const run = await cli(
      ['--kubeconfig', kubeconfig, 'acquire', 'debug-shell', '-n', 'dev', '--s3-bucket', 'no-such-bucket'],
      env(),
    );
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('bucket s3://no-such-bucket');
    expect(run.stderr).toContain('does not exist');
    expect(run.stderr).toMatch(/package \S+ is sealed locally in .*, but not stored/);
    const id = /package (\S+) is sealed locally/.exec(run.stderr)?.[1] ?? '';
    const shown = JSON.parse((await cli(['evidence', 'show', id, '-o', 'json'], env())).stdout) as {
      errors: string[];
    };
    expect(shown.errors.some((line) => line.includes('upload to S3 failed'))).toBe(true);
    expect((await cli(['evidence', 'verify', id], env())).code).toBe(0);
  });
});
