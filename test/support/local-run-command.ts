import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunCommandPort } from '../../src/clusters/index.js';

/**
 * FAKE of AKS command invoke, built from its documented behaviour: the given files are unpacked in
 * a fresh working directory, the command runs there in bash with kubectl configured for the
 * cluster, and the exit code and the combined output come back. AKS does this in a pod in
 * `aks-command`; here it runs locally against the test cluster, since no AKS can run here.
 */
export function localRunCommand(kubeconfig: string): RunCommandPort & { readonly calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async run(input) {
      calls.push(input.command);
      const dir = mkdtempSync(join(tmpdir(), 'aks-command-'));
      try {
        for (const [name, bytes] of Object.entries(input.files ?? {})) writeFileSync(join(dir, name), bytes);
        return await new Promise((resolve, reject) => {
          const child = spawn('bash', ['-c', input.command], {
            cwd: dir,
            env: { ...process.env, KUBECONFIG: kubeconfig },
          });
          let logs = '';
          child.stdout.on('data', (chunk: Buffer) => {
            logs += chunk.toString('utf8');
          });
          child.stderr.on('data', (chunk: Buffer) => {
            logs += chunk.toString('utf8');
          });
          child.on('error', reject);
          child.on('close', (code) => resolve({ exitCode: code ?? 1, logs }));
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
