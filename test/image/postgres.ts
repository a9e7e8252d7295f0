import { createServer } from 'node:net';
import pg from 'pg';
import { startPostgres } from '../support/postgres.js';

/** A new empty database on the test PostgreSQL (GATEHOUSE_TEST_POSTGRES_URL, else a private server). */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const server = startPostgres();
  const name = `gh_image_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = async (text: string) => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin(`drop database if exists ${name} with (force)`);
      server.stop();
    },
  };
}

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
