import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExecPeer, startExecPeer } from '../../test/support/exec-peer.js';
import { type FreshStore, freshStore } from '../../test/support/stores.js';
import { odHex } from '../../test/support/tar.js';
import { signInAs, signInSettings } from '../../test/support/web-sign-in.js';
import { Browser, demoUsers, type OidcProvider, startOidcProvider } from '../../testcluster/oidc/index.js';
import { listAudit } from '../audit/index.js';
import { KubeClient, loadKubeconfig } from '../kube/index.js';
import { type RunningServer, startServer } from '../server/index.js';
import type { Store } from '../store/index.js';

// Two real `gatehouse serve` replicas over one PostgreSQL store, as the Helm chart runs them: rita
// signs in through the real OpenID Provider, starts an acquisition on one, and follows it on the other.

function collectorOutput(command: readonly string[]): Buffer {
  const nonce = /^N=([0-9a-f]+)$/m.exec(command.at(-1) ?? '')?.[1] ?? 'none';
  const processes = Buffer.from('@pid 1\n@comm php-fpm\n');
  return Buffer.from(`\n##GH1 ${nonce} hex live.processes\n${odHex(processes)}\n##GH1 ${nonce} end done\n`);
}

describe('acquisition jobs across two server replicas over one PostgreSQL store', () => {
  let op: OidcProvider;
  let peer: ExecPeer;
  let fresh: FreshStore;
  let second: Store;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    op = await startOidcProvider({ users: demoUsers, port: 0 });
    peer = await startExecPeer([
      {
        namespace: 'shop',
        name: 'web',
        container: 'php',
        labels: { app: 'web' },
        stdout: collectorOutput,
        image: 'docker.io/library/php:8-apache',
      },
    ]);
    const client = new KubeClient(
      loadKubeconfig({ path: peer.kubeconfig(mkdtempSync(join(tmpdir(), 'gatehouse-replicas-'))) }).config,
    );
    fresh = await freshStore('postgres');
    second = await fresh.reopen();
    const evidenceRoot = mkdtempSync(join(tmpdir(), 'gatehouse-replicas-evidence-'));
    for (const [index, store] of [fresh.store, second].entries())
      servers.push(
        await startServer({
          gatehouse: {
            store: async () => store,
            clusters: {
              client: async () => client,
              accessEntries: async () => undefined,
              list: async () => ({
                clusters: [{ name: 'prod', provider: 'kubeconfig', server: client.server, current: true }],
                errors: [],
              }),
            },
          },
          host: '127.0.0.1',
          port: 0,
          intervalMs: 60_000,
          webhooks: [],
          log: () => undefined,
          replicaId: `gatehouse-${index}`,
          evidenceRoot,
          signIn: signInSettings(op),
        }),
      );
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) await server.close();
    await second?.close();
    await fresh?.cleanup();
    await peer?.close();
    await op?.close();
  });

  it('shows the job started on one replica, its progress events and its result, on the other', async () => {
    const [one, other] = servers as [RunningServer, RunningServer];
    const rita = new Browser(op.caCertificate);
    const container = '/forensics?cluster=prod&namespace=shop&pod=web&container=php';
    const back = await signInAs(rita, `${one.url}/auth/login?next=${encodeURIComponent(container)}`, {
      username: 'rita',
      issuer: op.issuer,
    });
    const form = await rita.get(back.location ?? '');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    expect(csrf).not.toBe('');
    const started = await rita.postForm(`${one.url}/forensics/acquire`, {
      _csrf: csrf,
      cluster: 'prod',
      namespace: 'shop',
      pod: 'web',
      container: 'php',
      method: 'exec',
    });
    expect(started.status).toBe(303);
    const jobPath = new URL(started.location ?? '').pathname;
    expect(jobPath).toMatch(/^\/forensics\/jobs\/[0-9a-f-]{36}$/);
    const elsewhere = await rita.get(`${other.url}${jobPath}`);
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ')).toContain('Started by oidc:rita');
    const events = await rita.get(`${other.url}${jobPath}/events`);
    expect(events.body).toContain('event: progress');
    expect(events.body).toContain('event: done');
    const result = await rita.get(`${other.url}${jobPath}`);
    expect(result.body).toContain('Acquisition finished');
    const id = /href="\/evidence\/([0-9TZ]+-[0-9a-f]{8})"/.exec(result.body)?.[1] ?? '';
    expect(id).not.toBe('');
    const sealed = await listAudit(fresh.store, { action: 'forensics.acquire' });
    expect(sealed.map((entry) => [entry.actor, entry.outcome])).toEqual([
      ['oidc:rita', 'started'],
      ['oidc:rita', 'succeeded'],
    ]);
  });
});
