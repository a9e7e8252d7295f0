import type pg from 'pg';
import type { StoreSignals } from './database.js';

// Channel names are identifiers in LISTEN; only these characters are ever used.
const channelName = /^[a-z_][a-z0-9_]{0,62}$/;

function checked(channel: string): string {
  if (!channelName.test(channel)) throw new Error(`invalid signal channel "${channel}"`);
  return channel;
}

/**
 * LISTEN/NOTIFY over the store's pool. Each listener holds one connection of its own; when that
 * connection breaks it listens again on a new one (signals sent in between are lost, which the
 * callers' periodic passes cover).
 */
export function postgresSignals(pool: pg.Pool): StoreSignals {
  return {
    async notify(channel, payload = '') {
      await pool.query('select pg_notify($1, $2)', [checked(channel), payload.slice(0, 7000)]);
    },
    async listen(channel, onSignal) {
      const name = checked(channel);
      let stopped = false;
      let client: pg.PoolClient | undefined;
      const connect = async (): Promise<void> => {
        const next = await pool.connect();
        next.on('notification', (message) => {
          if (message.channel === name) onSignal(message.payload ?? '');
        });
        next.on('error', () => {
          next.release(true);
          if (client === next) client = undefined;
          if (!stopped) setTimeout(() => void connect().catch(() => undefined), 1000);
        });
        await next.query(`LISTEN ${name}`);
        client = next;
        // A signal may have been sent while no connection listened: act as if one came.
        onSignal('');
      };
      await connect();
      return async () => {
        stopped = true;
        const held = client;
        client = undefined;
        if (!held) return;
        await held.query(`UNLISTEN ${name}`).catch(() => undefined);
        held.release();
      };
    },
  };
}
