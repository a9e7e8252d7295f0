import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../test/support/cli.js';
import { type RunningMoto, startMoto } from '../../test/support/moto.js';
import { appendAudit } from '../audit/index.js';
import { openStore } from '../store/index.js';

let moto: RunningMoto;
beforeAll(async () => {
  moto = await startMoto();
  const s3 = new S3Client({ endpoint: moto.endpoint, forcePathStyle: true, region: 'us-east-1' });
  await s3.send(new CreateBucketCommand({ Bucket: 'evidence' }));
}, 60_000);
afterAll(() => moto?.stop());

async function homeWithEntries(count: number): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), 'gatehouse-checkpoint-'));
  const store = await openStore({ dataDir: home });
  for (let n = 1; n <= count; n++)
    await appendAudit(store, { actor: 'alice', action: 'test.step', target: `t/${n}`, outcome: 'succeeded' });
  await store.close();
  return home;
}

describe('the audit checkpoint in the evidence bucket', () => {
  it('finds the newest entries removed even when the data directory checkpoint was removed too', async () => {
    const home = await homeWithEntries(4);
    const env = { GATEHOUSE_HOME: home, GATEHOUSE_S3_ENDPOINT: moto.endpoint };
    const pushed = await cli(['audit', 'checkpoint', '--s3-bucket', 'evidence', '--s3-prefix', 'cases'], env);
    expect(pushed.stdout).toBe(
      'audit checkpoint (entry 4) copied to s3://evidence/cases/audit-checkpoint.json\n',
    );
    // Someone with write access to the database and the data directory cuts the tail.
    const store = await openStore({ dataDir: home });
    await store.db.deleteFrom('audit_events').where('seq', '>', 2).execute();
    await store.close();
    rmSync(join(home, 'audit-checkpoint.json'));
    const local = await cli(['audit', 'verify'], env);
    expect(local.code).toBe(0);
    expect(local.stdout).toContain('note: no checkpoint: removal of the newest entries cannot be detected');
    const withBucket = await cli(['audit', 'verify', '--s3-bucket', 'evidence', '--s3-prefix', 'cases'], env);
    expect(withBucket.code).toBe(1);
    expect(withBucket.stdout).toContain('entry 4: the chain ends at entry 2, but the checkpoint of');
    expect(withBucket.stdout).toContain('(checkpoint s3://evidence/cases/audit-checkpoint.json)');
  });

  it('never moves the bucket checkpoint back to an older head', async () => {
    const newer = await homeWithEntries(3);
    const older = await homeWithEntries(1);
    const args = ['audit', 'checkpoint', '--s3-bucket', 'evidence', '--s3-prefix', 'order'];
    await cli(args, { GATEHOUSE_HOME: newer, GATEHOUSE_S3_ENDPOINT: moto.endpoint });
    await cli(args, { GATEHOUSE_HOME: older, GATEHOUSE_S3_ENDPOINT: moto.endpoint });
    const verify = await cli(['audit', 'verify', '--s3-bucket', 'evidence', '--s3-prefix', 'order'], {
      GATEHOUSE_HOME: newer,
      GATEHOUSE_S3_ENDPOINT: moto.endpoint,
    });
    expect(verify.code).toBe(0);
  });
});
