import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReaderManifest } from '../../test/support/reader-manifest.js';

// The CLI as installed: bin/gatehouse.js on the bundle that `npm ci` builds (dist/gatehouse.mjs).
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'gatehouse.js');
const work = mkdtempSync(join(tmpdir(), 'gatehouse-installed-'));

function gatehouse(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GATEHOUSE_HOME: join(work, 'home'), HOME: work },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  // Built from the code under test (what `npm ci` does through prepare), never a stale dist/.
  const built = spawnSync(process.execPath, [join(root, 'scripts', 'bundle-cli.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (built.status !== 0) throw new Error(`building the CLI bundle failed: ${built.stderr}`);
  writeReaderManifest(work);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the installed CLI (bundle)', () => {
  it('prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(gatehouse('--version')).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('lists every command in --help without loading them', () => {
    const help = gatehouse('--help');
    expect(help.code).toBe(0);
    for (const command of ['clusters', 'audit', 'rbac', 'acquire', 'evidence', 'access', 'serve', 'tokens'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('answers an offline can-i from manifests, with the exit code scripts use', () => {
    const dir = work;
    expect(gatehouse('rbac', 'can-i', 'list', 'pods', '-n', 'dev', '--as', 'alice', '-f', dir)).toMatchObject(
      {
        code: 0,
        stdout: expect.stringContaining('yes'),
      },
    );
    expect(gatehouse('rbac', 'can-i', 'delete', 'pods', '-n', 'dev', '--as', 'alice', '-f', dir).code).toBe(
      1,
    );
  });

  it('refuses an unknown command with exit 2', () => {
    const run = gatehouse('frobnicate');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
  });
});
