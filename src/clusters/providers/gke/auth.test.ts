import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultProjectId } from './auth.js';

describe('the default GCP project', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is the one Application Default Credentials name', async () => {
    vi.stubEnv('GOOGLE_CLOUD_PROJECT', 'acme-prod-123456');
    expect(await defaultProjectId()).toBe('acme-prod-123456');
  });

  it('is asked for with the fix when no source names one', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'gatehouse-no-gcloud-'));
    vi.stubEnv('GOOGLE_CLOUD_PROJECT', '');
    vi.stubEnv('GCLOUD_PROJECT', '');
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', '');
    vi.stubEnv('CLOUDSDK_CONFIG', empty);
    vi.stubEnv('HOME', empty);
    vi.stubEnv('PATH', empty);
    // No metadata server here: told so, the library does not wait for one.
    vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
    await expect(defaultProjectId()).rejects.toMatchObject({
      code: 'input.invalid',
      message: 'no GCP project given, and Application Default Credentials name none',
      fix: expect.stringContaining('--projects'),
    });
  });
});
