import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { behindTestSession, type ConsoleFixture, consoleFixture } from '../../test/support/console-app.js';
import { type ExecPeer, type PeerPod, startExecPeer } from '../../test/support/exec-peer.js';
import { dialects } from '../../test/support/stores.js';
import { odHex } from '../../test/support/tar.js';
import { listAudit } from '../audit/index.js';
import { createJob, heldView, signatureFile, verifyPackage } from '../forensics/index.js';
import { KubeClient, loadKubeconfig } from '../kube/index.js';

/** What the collector would send: one process list, framed with the script's nonce. */
function collectorOutput(command: readonly string[]): Buffer {
  const nonce = /^N=([0-9a-f]+)$/m.exec(command.at(-1) ?? '')?.[1] ?? 'none';
  const processes = Buffer.from('@pid 1\n@comm php-fpm\n');
  return Buffer.from(`\n##GH1 ${nonce} hex live.processes\n${odHex(processes)}\n##GH1 ${nonce} end done\n`);
}

const pod = (namespace: string, name: string, container: string, image?: string): PeerPod => ({
  namespace,
  name,
  container,
  labels: { app: name.slice(0, 20) },
  stdout: collectorOutput,
  ...(image ? { image } : {}),
});

const hostilePod = '<img src=x onerror=alert(1)>';
const hostileContainer = '"><script>alert(1)</script>';

const pods: PeerPod[] = [
  pod('shop', 'web', 'php', 'docker.io/library/php:8-apache'),
  pod('shop', 'signer', 'signer', 'gcr.io/distroless/static-debian12:nonroot'),
  pod('shop', hostilePod, hostileContainer),
  pod('kube-system', 'coredns', 'coredns', 'registry.k8s.io/coredns/coredns:v1.11.3'),
];

async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function peerClient(peer: ExecPeer): Promise<KubeClient> {
  const path = peer.kubeconfig(mkdtempSync(join(tmpdir(), 'gatehouse-console-forensics-')));
  return new KubeClient(loadKubeconfig({ path }).config);
}

describe.each(dialects)('the forensics pages on %s', (dialect) => {
  let peer: ExecPeer;
  let blocked: ExecPeer;
  let fixture: ConsoleFixture | undefined;
  beforeAll(async () => {
    peer = await startExecPeer(pods);
    blocked = await startExecPeer(pods, { denied: ['create pods/exec', 'list events'] });
  });
  afterAll(async () => {
    await peer.close();
    await blocked.close();
  });
  afterEach(async () => fixture?.fresh.cleanup());

  async function over(which: ExecPeer = peer): Promise<ConsoleFixture> {
    const client = await peerClient(which);
    const evidenceRoot = mkdtempSync(join(tmpdir(), 'gatehouse-console-forensics-evidence-'));
    fixture = await consoleFixture(dialect, { clientFor: async () => client, evidenceRoot });
    return fixture;
  }
  const text = async (response: Response) => await response.text();

  it('lists a system namespace and a distroless container as hidden with the reason, and shows them with the switch', async () => {
    const console = await over();
    const clusters = await text(await console.visit('rita', '/forensics'));
    expect(clusters).toContain('<a href="/forensics?cluster=prod">prod</a>');
    const namespaces = await text(await console.visit('rita', '/forensics?cluster=prod'));
    expect(namespaces).toContain('<a href="/forensics?cluster=prod&amp;namespace=shop">shop</a>');
    expect(namespaces).not.toContain('namespace=kube-system"');
    expect(namespaces).toMatch(/Hidden namespaces \(1\)[\s\S]*kube-system<\/code>: system namespace/);
    expect(namespaces).toContain(
      'href="/forensics?cluster=prod&amp;hidden=show" data-switch="hidden">Show hidden namespaces and containers',
    );
    const shown = await text(await console.visit('rita', '/forensics?cluster=prod&hidden=show'));
    expect(shown).toContain('<a href="/forensics?cluster=prod&amp;namespace=kube-system&amp;hidden=show">');
    const podsPage = await text(await console.visit('rita', '/forensics?cluster=prod&namespace=shop'));
    expect(podsPage).toContain('namespace=shop&amp;pod=web">web</a>');
    expect(podsPage).toMatch(/Hidden pods \(1\)[\s\S]*signer<\/code>: no shell in the image \(distroless\)/);
    const signer = await text(
      await console.visit('rita', '/forensics?cluster=prod&namespace=shop&pod=signer&container=signer'),
    );
    expect(signer).toContain('This container is hidden: no shell in the image (distroless)');
    expect(signer).not.toContain('name="method"');
    const switched = await text(
      await console.visit(
        'rita',
        '/forensics?cluster=prod&namespace=shop&pod=signer&container=signer&hidden=show',
      ),
    );
    expect(switched).toContain('data-method="ephemeral"');
    expect(switched).not.toContain('data-method="exec"');
    expect(switched).toMatch(/id="method-ephemeral" value="ephemeral" checked/);
  });

  it('shows, before anything runs, the exact permission a method lacks and how to grant it', async () => {
    const console = await over(blocked);
    const page = await text(
      await console.visit('rita', '/forensics?cluster=prod&namespace=shop&pod=web&container=php'),
    );
    expect(page).toContain('Gatehouse (responder) lacks:');
    expect(page).toContain(
      '<code>create pods/exec in namespace shop</code> (run the collector in the container)',
    );
    expect(page).toContain('gatehouse setup rbac forensics');
    expect(page).toContain('No method is ready');
    expect(page).toMatch(
      /Without these the package will be partial[\s\S]*<code>list events in namespace shop<\/code> \(pod events\)/,
    );
    expect(page).not.toContain('<button type="submit">Acquire</button>');
  });

  it('shows dave the auditor no acquire button, refuses his post with 403 and audits it as denied', async () => {
    const console = await over();
    const page = await text(
      await console.visit('dave', '/forensics?cluster=prod&namespace=shop&pod=web&container=php'),
    );
    expect(page).toContain('data-method="exec"');
    expect(page).not.toContain('<button type="submit">Acquire</button>');
    expect(page).not.toContain('Acquire matches');
    const fields = { cluster: 'prod', namespace: 'shop', pod: 'web', container: 'php', method: 'exec' };
    const refused = await console.post('dave', '/forensics/acquire', fields);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('dave may not acquire evidence');
    expect((await console.visit('alice', '/forensics')).status).toBe(403);
    const entries = await listAudit(console.fresh.store, { action: 'forensics.acquire' });
    expect(entries.map((entry) => [entry.actor, entry.outcome, entry.target])).toEqual([
      ['dave', 'denied', 'shop/web/php'],
    ]);
    expect((await console.post('rita', '/forensics/acquire', { ...fields, _csrf: 'forged' })).status).toBe(
      403,
    );
  });

  it('escapes hostile pod and container names from the cluster and hostile names in the address', async () => {
    const console = await over();
    const page = await text(
      await console.visit('rita', '/forensics?cluster=prod&namespace=shop&hidden=show'),
    );
    expect(page).not.toContain(hostilePod);
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const cluster = await console.visit(
      'rita',
      `/forensics?cluster=${encodeURIComponent('<b>x</b>')}&namespace=shop`,
    );
    expect(await cluster.text()).not.toContain('<b>x</b>');
    const namespace = await console.visit(
      'rita',
      `/forensics?cluster=prod&namespace=${encodeURIComponent('<i>')}`,
    );
    expect(namespace.status).toBe(400);
    expect(await namespace.text()).toContain('&quot;&lt;i&gt;&quot; is not a namespace name');
  });

  it('acquires a container from the form, audited as the CLI audits it, and shows the sealed package, partial with its reasons, after a reload; a failure is a result too', async () => {
    const console = await over();
    const fields = { cluster: 'prod', namespace: 'shop', pod: 'web', container: 'php', method: 'exec' };
    const started = await console.post('rita', '/forensics/acquire', fields);
    expect(started.status).toBe(303);
    const jobPath = started.headers.get('location') ?? '';
    expect(jobPath).toMatch(/^\/forensics\/jobs\/[0-9a-f-]{36}$/);
    const events = await text(await console.visit('rita', `${jobPath}/events`));
    expect(events).toContain('event: progress');
    expect(events).toMatch(/event: done/);
    const page = await text(await console.visit('rita', jobPath));
    expect(page).toContain('Acquisition finished');
    const id = /href="\/evidence\/([0-9TZ]+-[0-9a-f]{8})"/.exec(page)?.[1] ?? '';
    expect(id).not.toBe('');
    // The peer serves no events or nodes: the package is partial, and says why.
    expect(page).toContain('sealed, partial');
    expect(page).toMatch(/Why it is partial \(\d+\)[\s\S]*UNAVAILABLE api events of pod web/);
    const root = join(console.options.evidenceRoot ?? '', id);
    expect(verifyPackage(root).ok).toBe(true);
    // Verified and built in the background once sealed: opening it re-hashes and re-reads nothing.
    await until(async () => (await heldView(console.fresh.store, id, root)) !== undefined);
    expect(existsSync(join(root, signatureFile))).toBe(true);
    const entries = await listAudit(console.fresh.store, { action: 'forensics.acquire' });
    expect(entries.map((entry) => [entry.actor, entry.outcome, entry.target])).toEqual([
      ['rita', 'started', 'shop/web/php'],
      ['rita', 'succeeded', 'shop/web/php'],
    ]);
    expect(entries[1]?.details).toMatchObject({
      package: id,
      packageHash: verifyPackage(root).packageHash,
      method: 'exec',
    });
    const gone = await console.post('rita', '/forensics/acquire', { ...fields, pod: 'gone' });
    const failedPath = gone.headers.get('location') ?? '';
    await text(await console.visit('rita', `${failedPath}/events`));
    const failed = await text(await console.visit('rita', failedPath));
    expect(failed).toContain('<span class="badge badge-refused">failed</span>');
    expect(failed).toContain('pod shop/gone not found');
    const missing = await console.visit('rita', '/forensics/jobs/00000000-0000-0000-0000-000000000000');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Jobs are kept for a week after they finish');
  });

  it('acquires every running match of a label selector, each container with its own result', async () => {
    const console = await over();
    const started = await console.post('rita', '/forensics/acquire', {
      cluster: 'prod',
      namespace: 'shop',
      selector: 'app=web',
      method: 'auto',
    });
    expect(started.status).toBe(303);
    const jobPath = started.headers.get('location') ?? '';
    await text(await console.visit('rita', `${jobPath}/events`));
    const page = await text(await console.visit('rita', jobPath));
    expect(page).toContain('<code>app=web</code>');
    expect(page.match(/aria-label="Result for shop\/web\/php"/g)?.length).toBe(1);
    const none = await console.post('rita', '/forensics/acquire', {
      cluster: 'prod',
      namespace: 'shop',
      selector: 'app=nothing',
    });
    expect(none.status).toBe(404);
    expect(await none.text()).toContain('no running container matches app=nothing in shop');
  });

  it('refuses a malformed or hostile label selector before the cluster is asked, and audits every refused acquisition with its reason', async () => {
    const console = await over();
    const base = { cluster: 'prod', namespace: 'shop', method: 'auto' };
    const hostile = [
      'app=web&fieldSelector=metadata.name=web',
      'app=web\nx=y',
      'app=<script>',
      'app in (web',
      `app=${'a'.repeat(300)}`,
    ];
    for (const selector of hostile) {
      const refused = await console.post('rita', '/forensics/acquire', { ...base, selector });
      expect(refused.status, selector).toBe(400);
      expect(await refused.text()).toMatch(/is not a label selector|at most 256 characters/);
    }
    const accepted = await console.post('rita', '/forensics/acquire', {
      ...base,
      selector: 'app in (web, shop), !canary,tier!=db,example.com/team==x',
    });
    expect(accepted.status).toBe(404);
    const badMethod = await console.post('rita', '/forensics/acquire', {
      ...base,
      pod: 'web',
      method: 'ssh',
    });
    expect(badMethod.status).toBe(400);
    const entries = await listAudit(console.fresh.store, { action: 'forensics.acquire' });
    expect(entries.map((entry) => [entry.actor, entry.outcome])).toEqual(
      Array.from({ length: hostile.length + 2 }, () => ['rita', 'denied']),
    );
    expect(String(entries[0]?.details.reason)).toContain('is not a label selector');
    expect(String(entries.at(-1)?.details.reason)).toContain('unknown method "ssh"');
  });

  it('lets every responder, auditor and admin follow any job (team work, and the evidence list shows the same), and refuses and audits anyone else on the page and its events', async () => {
    const console = await over();
    const started = await console.post('rita', '/forensics/acquire', {
      cluster: 'prod',
      namespace: 'shop',
      pod: 'web',
      container: 'php',
      method: 'exec',
    });
    const jobPath = started.headers.get('location') ?? '';
    for (const person of ['dave', 'carol'] as const) {
      expect(await text(await console.visit(person, `${jobPath}/events`))).toContain('event: done');
      expect(await text(await console.visit(person, jobPath))).toContain('Started by</dt><dd>rita');
    }
    for (const path of [jobPath, `${jobPath}/events`, '/forensics?cluster=prod']) {
      const refused = await console.visit('alice', path);
      expect(refused.status, path).toBe(403);
      expect(await refused.text()).not.toContain('event: progress');
      const head = await console.app.request(path, {
        method: 'HEAD',
        headers: { cookie: 'test-person=alice' },
      });
      expect(head.status, `HEAD ${path}`).toBe(403);
    }
    const refusals = await listAudit(console.fresh.store, { action: 'forensics.view' });
    const job = `job/${jobPath.split('/').at(-1)}`;
    expect(refusals.map((entry) => [entry.actor, entry.outcome, entry.target])).toEqual(
      [job, job, job, job, 'forensics', 'forensics'].map((target) => ['alice', 'denied', target]),
    );
  });

  it('follows a job started on one server from another over the same store: its page and its events', async () => {
    const console = await over();
    const other = await console.fresh.reopen();
    try {
      const replica = behindTestSession({ ...console.options, store: other });
      const asRita = { headers: { cookie: 'test-person=rita' } };
      const started = await console.post('rita', '/forensics/acquire', {
        cluster: 'prod',
        namespace: 'shop',
        selector: 'app=web',
        method: 'exec',
      });
      const jobPath = started.headers.get('location') ?? '';
      const early = await text(await replica.request(jobPath, asRita));
      expect(early).toContain('Started by</dt><dd>rita');
      expect(early).toContain('<code>app=web</code>');
      const events = await text(await replica.request(`${jobPath}/events`, asRita));
      expect(events).toContain('event: progress');
      expect(events).toContain('event: done');
      const page = await text(await replica.request(jobPath, asRita));
      expect(page).toContain('Acquisition finished');
      expect(page).toMatch(
        /aria-label="Result for shop\/web\/php"[\s\S]*href="\/evidence\/[0-9TZ]+-[0-9a-f]{8}"/,
      );
    } finally {
      await other.close();
    }
  });

  it('refuses a job beyond what one person, then the whole installation, may run at once, saying why, audited', async () => {
    const console = await over();
    const running = { cluster: 'prod', namespace: 'shop', method: 'exec' as const, labels: ['shop/web/php'] };
    for (let at = 0; at < 2; at++)
      await createJob(console.fresh.store, { ...running, operator: 'rita', replica: 'r1' });
    const fields = { cluster: 'prod', namespace: 'shop', pod: 'web', container: 'php', method: 'exec' };
    const mine = await console.post('rita', '/forensics/acquire', fields);
    expect(mine.status).toBe(409);
    expect(await mine.text()).toContain(
      'rita already runs 2 acquisitions, the most one person may run at once (2)',
    );
    for (let at = 0; at < 6; at++)
      await createJob(console.fresh.store, { ...running, operator: `someone-${at}`, replica: 'r1' });
    const carol = await console.post('carol', '/forensics/acquire', fields);
    expect(carol.status).toBe(409);
    expect(await carol.text()).toContain(
      '8 acquisitions are running on this Gatehouse, the most it runs at once (8)',
    );
    const entries = await listAudit(console.fresh.store, { action: 'forensics.acquire' });
    expect(entries.map((entry) => [entry.actor, entry.outcome])).toEqual([
      ['rita', 'denied'],
      ['carol', 'denied'],
    ]);
  });

  it('shows a job whose server stopped renewing it as interrupted, with what to do, and no longer counts it as running', async () => {
    const console = await over();
    const longAgo = new Date(Date.now() - 120_000);
    const job = await createJob(console.fresh.store, {
      operator: 'rita',
      cluster: 'prod',
      namespace: 'shop',
      method: 'exec',
      labels: ['shop/web/php', 'shop/web/sidecar'],
      replica: 'gatehouse-0/1/dead',
      now: longAgo,
    });
    const events = await text(await console.visit('dave', `/forensics/jobs/${job.id}/events`));
    expect(events).toContain(
      '"interrupted":"the server replica gatehouse-0/1/dead running this acquisition stopped',
    );
    expect(events).toContain('event: done');
    const page = await text(await console.visit('dave', `/forensics/jobs/${job.id}`));
    expect(page).toContain('Acquisition interrupted');
    expect(page).toContain(`no sign of it since ${longAgo.toISOString()}`);
    expect(page).toContain('Start the acquisition again');
    expect(page.match(/<span class="badge badge-refused">failed<\/span>/g)?.length).toBe(2);
    for (let at = 0; at < 2; at++)
      await createJob(console.fresh.store, { ...job, labels: [], operator: 'rita', replica: 'r1' });
  });

  it('refuses one person a progress stream beyond the 16 they already hold open on this server, audited, and lets them in again once one closes', async () => {
    const console = await over();
    const job = await createJob(console.fresh.store, {
      operator: 'rita',
      cluster: 'prod',
      namespace: 'shop',
      method: 'exec',
      labels: ['shop/web/php'],
      replica: 'elsewhere',
    });
    const path = `/forensics/jobs/${job.id}/events`;
    const held = await Promise.all(Array.from({ length: 16 }, () => console.visit('dave', path)));
    const readers = held.map((response) => response.body!.getReader());
    await Promise.all(readers.map(async (reader) => await reader.read()));
    const refused = await console.visit('dave', path);
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('dave already follows 16 acquisitions on this server');
    const rita = await console.visit('rita', path);
    expect(rita.status).toBe(200);
    await rita.body?.cancel();
    await readers[0]!.cancel();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await console.visit('dave', path);
    expect(again.status).toBe(200);
    await again.body?.cancel();
    for (const reader of readers.slice(1)) await reader.cancel();
    const entries = await listAudit(console.fresh.store, { action: 'forensics.view' });
    expect(entries.map((entry) => [entry.actor, entry.outcome])).toEqual([['dave', 'denied']]);
  });
});
