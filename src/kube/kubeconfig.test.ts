import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { loadKubeconfig, readKubeconfig } from './kubeconfig.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-kubeconfig-'));
function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const valid = (context: string, server: string, current = context) => `apiVersion: v1
kind: Config
current-context: ${current}
clusters:
- name: ${context}
  cluster: {server: ${server}}
users:
- name: ${context}
  user: {token: abc}
contexts:
- name: ${context}
  context: {cluster: ${context}, user: ${context}}
`;

function failure(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('loadKubeconfig', () => {
  it('selects the current context of a valid file', () => {
    const { config } = loadKubeconfig({ path: write('ok.yaml', valid('dev', 'https://127.0.0.1:6443')) });
    expect(config.getCurrentContext()).toBe('dev');
    expect(config.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
  });

  it('says where YAML is broken', () => {
    const error = failure(() =>
      loadKubeconfig({ path: write('bad.yaml', 'clusters:\n  - name: [unclosed\n') }),
    );
    expect(error.code).toBe('kubeconfig.malformed');
    expect(error.message).toMatch(/bad\.yaml is not valid YAML/);
    expect(error.fix).toContain('kubectl config view');
  });

  it('rejects a file that is not a mapping', () => {
    expect(failure(() => loadKubeconfig({ path: write('list.yaml', '- a\n- b\n') })).message).toContain(
      'not a YAML mapping',
    );
  });

  it('names the missing field of a malformed entry', () => {
    const error = failure(() =>
      loadKubeconfig({ path: write('noserver.yaml', 'clusters:\n- name: x\n  cluster: {}\n') }),
    );
    expect(error.code).toBe('kubeconfig.malformed');
    expect(error.message).toContain('clusters[0].cluster.server is missing');
  });

  it('lists the contexts that exist when asked for an unknown one', () => {
    const error = failure(() =>
      loadKubeconfig({ path: write('ctx.yaml', valid('dev', 'https://a')), context: 'prod' }),
    );
    expect(error.code).toBe('context.unknown');
    expect(error.message).toBe('context "prod" is not in the kubeconfig');
    expect(error.fix).toContain('dev');
  });

  it('explains a missing file and how to get one', () => {
    const error = failure(() => loadKubeconfig({ path: join(dir, 'absent.yaml') }));
    expect(error.code).toBe('kubeconfig.missing');
    expect(error.fix).toContain('--kubeconfig');
  });

  it('merges KUBECONFIG files like kubectl: the first file wins names and current-context', () => {
    const first = write('first.yaml', valid('a', 'https://first'));
    const second = write('second.yaml', valid('b', 'https://second', 'b'));
    const { config } = readKubeconfig({ env: { KUBECONFIG: `${first}:${second}` } });
    expect(config.getContexts().map((context) => context.name)).toEqual(['a', 'b']);
    expect(config.getCurrentContext()).toBe('a');
  });
});
