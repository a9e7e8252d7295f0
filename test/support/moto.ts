import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const wrapper = fileURLToPath(new URL('./moto-server.py', import.meta.url));

export interface RunningMoto {
  readonly endpoint: string;
  stop(): void;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * moto's server (PyPI `moto[server]`) on a free local port: the AWS APIs for tests.
 * `enforceIamAfter: n` makes moto check IAM policies after its first n calls (used to set up users).
 */
export async function startMoto(options: { readonly enforceIamAfter?: number } = {}): Promise<RunningMoto> {
  if (spawnSync('python3', ['-c', 'import moto.server'], { encoding: 'utf8' }).status !== 0) {
    throw new Error("moto's server is not installed: the AWS tests need it (`pip install 'moto[server]'`)");
  }
  const port = await freePort();
  // moto's server plus one EKS test hook (see moto-server.py).
  const child: ChildProcess = spawn('python3', [wrapper, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
    env:
      options.enforceIamAfter === undefined
        ? process.env
        : { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: String(options.enforceIamAfter) },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
  });
  return { endpoint, stop: () => child.kill('SIGKILL') };
}
