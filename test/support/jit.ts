import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type KubeClient, subjectCan } from '../../src/kube/index.js';
import { cli } from './cli.js';

/** Calls the Gatehouse HTTP API with a token; answers are JSON. */
export function apiClient(url: string) {
  return async (
    token: string,
    method: string,
    path: string,
    body?: unknown,
    // biome-ignore lint/suspicious/noExplicitAny: tests read API answers field by field.
  ): Promise<{ status: number; body: Record<string, any> }> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined
          ? {}
          : { 'content-type': typeof body === 'string' ? 'application/yaml' : 'application/json' }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
}

/** Mints an API token through the CLI, as an operator would. */
export async function mintToken(env: NodeJS.ProcessEnv, user: string, ...flags: string[]): Promise<string> {
  const run = await cli(['tokens', 'create', '--user', user, ...flags], env);
  if (run.code !== 0) throw new Error(`tokens create failed: ${run.stderr}`);
  return run.stdout.trim();
}

/** Whether a user may do something, asked of the API server itself (SubjectAccessReview). */
export async function userCan(
  admin: KubeClient,
  user: string,
  attributes: { namespace: string; verb: string; group: string; resource: string },
): Promise<boolean> {
  return (await subjectCan(admin, { user, groups: ['system:authenticated'], resourceAttributes: attributes }))
    .allowed;
}

/** Polls until the check gives the wanted answer; returns when (ms since epoch) it first did. */
export async function waitFor(
  check: () => Promise<boolean>,
  want: boolean,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await check()) === want) return Date.now();
    await sleep(50);
  }
  throw new Error(`still ${!want} after ${timeoutMs} ms`);
}

/** A webhook receiver: a real HTTP server that records the JSON bodies it gets. */
export async function webhookReceiver(): Promise<{ url: string; bodies: { text: string }[]; close(): void }> {
  const bodies: { text: string }[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      bodies.push(JSON.parse(text));
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    close: () => server.close(),
  };
}
