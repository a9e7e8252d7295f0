import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
function configFile(text: string): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('defaults to ~/.gatehouse and table output', () => {
    const config = loadConfig({ HOME: dir });
    expect(config.dataDir).toBe(join(dir, '.gatehouse'));
    expect(config.output).toBe('table');
    expect(config.databaseUrl).toBeUndefined();
  });

  it('lets environment variables override the file', () => {
    const file = configFile('context: from-file\noutput: yaml\ndatabaseUrl: postgres://file/db\n');
    const config = loadConfig({
      HOME: dir,
      GATEHOUSE_CONFIG: file,
      GATEHOUSE_CONTEXT: 'from-env',
      GATEHOUSE_DATABASE_URL: 'postgres://env/db',
    });
    expect(config).toMatchObject({
      context: 'from-env',
      output: 'yaml',
      databaseUrl: 'postgres://env/db',
      file,
    });
  });

  it('names an unknown setting and lists the known ones', () => {
    const file = configFile('kubeconfg: /tmp/x\n');
    expect(() => loadConfig({ HOME: dir, GATEHOUSE_CONFIG: file })).toThrow(/unknown setting "kubeconfg"/);
  });

  it('rejects a setting of the wrong type', () => {
    const file = configFile('probeTimeoutMs: soon\n');
    expect(() => loadConfig({ HOME: dir, GATEHOUSE_CONFIG: file })).toThrow(
      /"probeTimeoutMs" must be a positive integer/,
    );
  });

  it('rejects an unknown output format from the environment', () => {
    expect(() => loadConfig({ HOME: dir, GATEHOUSE_OUTPUT: 'xml' })).toThrow(
      /GATEHOUSE_OUTPUT: unknown output format "xml"/,
    );
  });

  it('says when GATEHOUSE_CONFIG points nowhere', () => {
    expect(() => loadConfig({ HOME: dir, GATEHOUSE_CONFIG: join(dir, 'missing.yaml') })).toThrow(
      /does not exist/,
    );
  });
});
