import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { GatehouseConfig } from '../config/index.js';
import { AppError, messageOf } from '../errors.js';
import { writePrivateFile } from './private-file.js';

/** A session token `gatehouse login` got from one server; the file holds one per server. */
export interface StoredCredential {
  readonly server: string;
  readonly token: string;
  readonly subject: string;
  readonly expiresAt: string;
}

type CredentialsFile = { readonly servers: Readonly<Record<string, StoredCredential>> };

/** `~/.gatehouse/credentials` (in the data directory), mode 0600. */
export function credentialsPath(config: Pick<GatehouseConfig, 'dataDir'>): string {
  return join(config.dataDir, 'credentials');
}

export const serverKey = (server: string) => server.replace(/\/+$/, '');

function read(path: string): CredentialsFile {
  if (!existsSync(path)) return { servers: {} };
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as CredentialsFile;
    return typeof parsed?.servers === 'object' && parsed.servers !== null ? parsed : { servers: {} };
  } catch (error) {
    throw new AppError('config.invalid', `cannot read ${path}: ${messageOf(error)}`, {
      fix: `Remove ${path} and run \`gatehouse login --server URL\` again`,
      cause: error,
    });
  }
}

function write(path: string, file: CredentialsFile): void {
  if (Object.keys(file.servers).length === 0) {
    rmSync(path, { force: true });
    return;
  }
  writePrivateFile(path, `${JSON.stringify(file, null, 2)}\n`);
}

/** The unexpired session token for a server, if `gatehouse login` left one. */
export function readCredential(
  config: Pick<GatehouseConfig, 'dataDir'>,
  server: string,
): StoredCredential | undefined {
  const found = read(credentialsPath(config)).servers[serverKey(server)];
  return found && Date.parse(found.expiresAt) > Date.now() ? found : undefined;
}

export function saveCredential(
  config: Pick<GatehouseConfig, 'dataDir'>,
  credential: StoredCredential,
): string {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const path = credentialsPath(config);
  const file = read(path);
  write(path, { servers: { ...file.servers, [serverKey(credential.server)]: credential } });
  return path;
}

/** Forgets a server's token; returns it so the caller can end the session on the server. */
export function removeCredential(
  config: Pick<GatehouseConfig, 'dataDir'>,
  server: string,
): StoredCredential | undefined {
  const path = credentialsPath(config);
  const file = read(path);
  const key = serverKey(server);
  const found = file.servers[key];
  if (!found) return undefined;
  const { [key]: _removed, ...rest } = file.servers;
  write(path, { servers: rest });
  return found;
}
