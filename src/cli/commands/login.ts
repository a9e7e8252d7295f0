import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { AppError, messageOf } from '../../errors.js';
import type { CommandContext, Runner } from '../context.js';
import { readCredential, removeCredential, saveCredential, serverKey } from '../credentials.js';

const waitLimitMs = 5 * 60_000;

function serverOf(context: CommandContext, flag: string | undefined): string {
  const server = flag ?? context.config.server;
  if (!server || !/^https?:\/\/[^/]/.test(server))
    throw new AppError(
      'input.invalid',
      server ? `--server "${server}" is not an http(s) URL` : 'no server named',
      {
        fix: 'Pass --server URL (the address of `gatehouse serve`), or set GATEHOUSE_SERVER',
      },
    );
  return serverKey(server);
}

const page = (text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Gatehouse CLI</title></head><body><p>${text}</p></body></html>`;

/** Waits on loopback for the browser to come back with the code; only the matching state is accepted. */
function awaitCode(
  state: string,
): Promise<{ readonly port: number; readonly code: Promise<string>; close(): void }> {
  return new Promise((resolve, reject) => {
    let settle: { ok: (code: string) => void; fail: (error: Error) => void } | undefined;
    const code = new Promise<string>((ok, fail) => {
      settle = { ok, fail };
    });
    const server: Server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const given = url.searchParams.get('code');
      if (url.pathname !== '/callback' || url.searchParams.get('state') !== state || !given) {
        res
          .writeHead(400, { 'content-type': 'text/html; charset=utf-8' })
          .end(page('This is not the sign-in this CLI waits for.'));
        return;
      }
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' })
        .end(page('Signed in. You can close this tab and go back to the terminal.'));
      settle?.ok(given);
    });
    const timer = setTimeout(
      () =>
        settle?.fail(
          new AppError('auth.unauthorized', 'nobody finished signing in within 5 minutes', {
            fix: 'Run `gatehouse login` again and open the link it prints',
          }),
        ),
      waitLimitMs,
    );
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const close = () => {
        clearTimeout(timer);
        server.close();
        server.closeAllConnections();
      };
      resolve({ port: (server.address() as AddressInfo).port, code, close });
    });
  });
}

/** Best effort: the URL is printed anyway, for machines without a browser. */
function openBrowser(url: string): void {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

async function post(url: string, init: { body?: unknown; token?: string }): Promise<Response> {
  try {
    return await fetch(url, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      body: JSON.stringify(init.body ?? {}),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new AppError(
      'cluster.unreachable',
      `cannot reach the Gatehouse server at ${url}: ${messageOf(error)}`,
      {
        fix: 'Check --server and that `gatehouse serve` is running and reachable',
      },
    );
  }
}

/** Trades the handed-over code for the session token, through the API contract's client. */
async function exchange(server: string, code: string, verifier: string) {
  const { createClient } = await import('../../server/contract/index.js');
  const answer = await createClient({ baseUrl: server }).exchangeCliCode({ body: { code, verifier } });
  return { token: answer.token, subject: answer.subject, expiresAt: answer.expiresAt };
}

async function login(context: CommandContext, flags: { server?: string; browser: boolean }): Promise<number> {
  const server = serverOf(context, flags.server);
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const listener = await awaitCode(state);
  try {
    const url = new URL(`${server}/auth/login`);
    url.search = new URLSearchParams({
      cli_port: String(listener.port),
      cli_challenge: createHash('sha256').update(verifier).digest('base64url'),
      cli_state: state,
    }).toString();
    context.stderr(`Open this link to sign in to ${server}:\n  ${url.href}\n`);
    if (flags.browser && context.interactive) openBrowser(url.href);
    const signedIn = await exchange(server, await listener.code, verifier);
    const path = saveCredential(context.config, { server, ...signedIn });
    context.stderr(
      `Signed in to ${server} as ${signedIn.subject} until ${signedIn.expiresAt} (token in ${path}).\n`,
    );
    if (serverKey(context.config.server ?? '') !== server)
      context.stderr(
        `Access commands use it when GATEHOUSE_SERVER=${server} (or server: in the config file).\n`,
      );
    return 0;
  } finally {
    listener.close();
  }
}

async function logout(context: CommandContext, flags: { server?: string }): Promise<number> {
  const server = serverOf(context, flags.server);
  const stored = readCredential(context.config, server);
  removeCredential(context.config, server);
  if (!stored) {
    context.stderr(`Not signed in to ${server}; nothing to do.\n`);
    return 0;
  }
  const response = await post(`${server}/auth/logout`, { token: stored.token }).catch(
    (error: unknown) => error,
  );
  if (response instanceof Response && response.ok)
    context.stderr(`Signed out of ${server} (${stored.subject}).\n`);
  else
    context.stderr(
      `Removed the local token, but the server did not confirm the sign-out (${response instanceof Response ? `HTTP ${response.status}` : messageOf(response)}); the session ends at ${stored.expiresAt} anyway.\n`,
    );
  return 0;
}

export function registerLogin(program: Command, run: Runner): void {
  program
    .command('login')
    .description('Sign in to a Gatehouse server through your browser; keeps a short-lived session token')
    .option('--server <url>', 'the server (default: GATEHOUSE_SERVER)')
    .option('--no-browser', 'only print the link to open')
    .action((flags: { server?: string; browser: boolean }) => run((context) => login(context, flags)));
}

export function registerLogout(program: Command, run: Runner): void {
  program
    .command('logout')
    .description('End the session `gatehouse login` started and forget its token')
    .option('--server <url>', 'the server (default: GATEHOUSE_SERVER)')
    .action((flags: { server?: string }) => run((context) => logout(context, flags)));
}
