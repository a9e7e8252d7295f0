import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { mergePatch, RunCommandTransport, shellQuote } from './run-command-transport.js';
import type { RunCommandPort } from './types.js';

/** Runs the command in bash with a `kubectl` stand-in on PATH, as the aks-command pod would run it. */
function bashPort(kubectl: string): RunCommandPort {
  const bin = mkdtempSync(join(tmpdir(), 'kubectl-'));
  writeFileSync(join(bin, 'kubectl'), `#!/bin/bash\n${kubectl}\n`, { mode: 0o755 });
  return {
    async run({ command, files }) {
      const dir = mkdtempSync(join(tmpdir(), 'run-'));
      for (const [name, bytes] of Object.entries(files ?? {})) writeFileSync(join(dir, name), bytes);
      try {
        const logs = execFileSync('bash', ['-c', command], {
          cwd: dir,
          env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        });
        return { exitCode: 0, logs: logs.toString() };
      } catch (error) {
        const failed = error as { status: number; stdout: Buffer };
        return { exitCode: failed.status, logs: failed.stdout.toString() };
      }
    },
  };
}

const collect = () => {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        chunks.push(chunk);
        done();
      },
    }),
    bytes: () => Buffer.concat(chunks),
  };
};

describe('the API through run command', () => {
  it('quotes any word for the shell', () => {
    expect(execFileSync('bash', ['-c', `printf %s ${shellQuote("it's $(rm -rf /) `x`")}`]).toString()).toBe(
      "it's $(rm -rf /) `x`",
    );
  });

  it('returns exec output byte for byte, even binary output that imitates the framing', async () => {
    const port = bashPort('printf "\\x00\\xff fake-marker out\\n"; echo oops >&2; exit 3');
    const stdout = collect();
    const stderr = collect();
    const result = await new RunCommandTransport(port).exec({
      namespace: 'ns',
      pod: 'p',
      container: 'c',
      command: ['sh', '-c', 'x'],
      stdout: stdout.stream,
      stderr: stderr.stream,
    });
    expect(stdout.bytes()).toEqual(Buffer.from([0x00, 0xff, ...Buffer.from(' fake-marker out\n')]));
    expect(stderr.bytes().toString()).toBe('oops\n');
    expect(result).toMatchObject({ exitCode: 3, status: 'Failure' });
  });

  it('keeps kubectl warnings out of the JSON, and turns kubectl errors into the error vocabulary', async () => {
    const ok = bashPort('echo "Warning: something" >&2; echo \'{"kind":"PodList"}\'');
    expect(await new RunCommandTransport(ok).request({ path: '/api/v1/pods' })).toBe('{"kind":"PodList"}\n');
    const forbidden = bashPort(
      'echo \'Error from server (Forbidden): pods is forbidden: User "x" cannot list resource "pods"\' >&2; exit 1',
    );
    await expect(new RunCommandTransport(forbidden).request({ path: '/api/v1/pods' })).rejects.toMatchObject({
      code: 'auth.forbidden',
    });
    await expect(
      new RunCommandTransport(ok).request({ method: 'PATCH', patchType: 'strategic', path: '/api/v1/pods' }),
    ).rejects.toThrow('PATCH is not available through run command');
  });

  it('applies merge patches as RFC 7386 says', () => {
    expect(
      mergePatch({ a: 1, b: { c: 2, d: 3 }, e: [1] }, { b: { c: null, x: 1 }, e: [2], f: 'new' }),
    ).toEqual({
      a: 1,
      b: { d: 3, x: 1 },
      e: [2],
      f: 'new',
    });
  });
});
