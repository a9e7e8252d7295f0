import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture, csrfOf, type Person } from '../../test/support/console-app.js';
import { seedReviewRun } from '../../test/support/review-run.js';
import { dialects } from '../../test/support/stores.js';
import { listAudit } from '../audit/index.js';
import { latestUsableRun, listCampaigns, listItems } from '../reviews/index.js';

/** Posts the campaign form as the browser does, repeated checkboxes included. */
async function postForm(
  fixture: ConsoleFixture,
  person: Person,
  fields: readonly (readonly [string, string])[],
  csrf: string | null = csrfOf(person),
): Promise<Response> {
  const body = new URLSearchParams(csrf === null ? [] : [['_csrf', csrf]]);
  for (const [name, value] of fields) body.append(name, value);
  return await fixture.app.request('/reviews/new', {
    method: 'POST',
    headers: { cookie: `test-person=${person}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
}

const goodFields = [
  ['name', 'Payments Q4'],
  ['cluster', 'prod'],
  ['selector', 'env=prod'],
  ['subjectKind', 'User'],
  ['subjectKind', 'ServiceAccount'],
  ['owners', 'yes'],
  ['fallback', 'user:carol'],
  ['deadline', '7d'],
  ['defaultAction', 'revoke'],
  ['reminders', '3d,1d'],
  ['every', '90d'],
] as const;

describe.each(dialects)('the campaign form on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  it('shows admins the form with the latest usable sync, its time and snapshot hash, and the CSRF token', async () => {
    fixture = await consoleFixture(dialect);
    await seedReviewRun(fixture.fresh.store);
    const latest = (await latestUsableRun(fixture.fresh.store, 'prod'))!;
    const text = await (await fixture.visit('carol', '/reviews/new')).text();
    expect(text).toContain(`prod: latest usable sync ${latest.run.id.slice(0, 8)} finished`);
    expect(text).toContain(`<code>${latest.snapshotHash.slice(0, 16)}</code>`);
    expect(text).toContain(`name="_csrf" value="${csrfOf('carol')}"`);
    expect(await (await fixture.visit('carol', '/reviews')).text()).toContain('href="/reviews/new"');
    expect(await (await fixture.visit('bob', '/reviews')).text()).not.toContain('href="/reviews/new"');
  });

  it('refuses the form to anyone but admins, and records each refusal', async () => {
    fixture = await consoleFixture(dialect);
    await seedReviewRun(fixture.fresh.store);
    const page = await fixture.visit('dave', '/reviews/new');
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('dave may not create access reviews');
    expect((await postForm(fixture, 'bob', goodFields)).status).toBe(403);
    expect(await listCampaigns(fixture.fresh.store)).toEqual([]);
    const denied = await listAudit(fixture.fresh.store, { action: 'review.create' });
    expect(denied.map((event) => `${event.actor} ${event.outcome}`)).toEqual(['dave denied', 'bob denied']);
  });

  it('creates the campaign the fields describe, audited, and lands on its queue', async () => {
    fixture = await consoleFixture(dialect);
    const run = await seedReviewRun(fixture.fresh.store);
    const response = await postForm(fixture, 'carol', goodFields);
    expect(response.status).toBe(303);
    const [campaign] = await listCampaigns(fixture.fresh.store);
    expect(response.headers.get('location')).toBe(`/reviews/${campaign!.id}?created=1`);
    expect(campaign).toMatchObject({
      name: 'Payments Q4',
      syncRunId: run.id,
      scope: {
        namespaceSelector: { matchLabels: { env: 'prod' } },
        subjectKinds: ['User', 'ServiceAccount'],
      },
      reviewers: { namespaceOwners: true, fallback: 'user:carol' },
      defaultAction: 'revoke',
      reminderOffsets: [259_200, 86_400],
      recurEverySeconds: 7_776_000,
      createdBy: 'carol',
    });
    const items = await listItems(fixture.fresh.store, campaign!.id);
    expect(items.map((item) => `${item.subject.name} ${item.reviewer}`).sort()).toEqual([
      'api user:bob',
      'bob user:carol',
      'olivia user:bob',
    ]);
    const [created] = await listAudit(fixture.fresh.store, { action: 'review.create' });
    expect(created).toMatchObject({ actor: 'carol', outcome: 'succeeded', details: { items: 3 } });
    const queue = await (await fixture.visit('carol', response.headers.get('location')!)).text();
    expect(queue).toContain('Campaign created: 3 items, each sent to its reviewer.');
  });

  it('keeps the values and names each bad field beside it, with its cause and fix, creating nothing', async () => {
    fixture = await consoleFixture(dialect);
    await seedReviewRun(fixture.fresh.store);
    const response = await postForm(fixture, 'carol', [
      ['cluster', 'prod'],
      ['namespaces', 'payments, billing'],
      ['selector', 'env=prod,tier in web'],
      ['reviewer', 'group:two words'],
      ['deadline', '2001-01-01T00:00:00Z'],
      ['defaultAction', 'revoke'],
      ['reminders', '3x'],
    ]);
    expect(response.status).toBe(400);
    const text = await response.text();
    const errorOf = (field: string) =>
      new RegExp(`id="${field}-error" role="alert">([^<]*)<`).exec(text)?.[1];
    expect(errorOf('name')).toContain('Give the campaign a name');
    expect(errorOf('selector')).toContain('is not understood. Write it as kubectl does: env=prod');
    expect(errorOf('reviewer')).toContain(
      '&quot;group:two words&quot; is not a reviewer. Name a reviewer as user:NAME',
    );
    expect(errorOf('fallback')).toContain('Name a fallback reviewer');
    expect(errorOf('deadline')).toContain('has passed. Give a later time');
    expect(errorOf('reminders')).toContain('is not a duration. Write a number and a unit');
    expect(text).toContain('value="payments, billing"');
    expect(text).toContain('aria-describedby="reviewer-hint reviewer-error"');
    expect(text).toMatch(/value="revoke" checked/);
    expect(await listCampaigns(fixture.fresh.store)).toEqual([]);
  });

  it('says beside the scope when it selects nothing, and beside the run when the run is of another cluster', async () => {
    fixture = await consoleFixture(dialect);
    await seedReviewRun(fixture.fresh.store);
    const other = await seedReviewRun(fixture.fresh.store, 'staging');
    const fields = goodFields.filter(([name]) => name !== 'selector');
    const empty = await (await postForm(fixture, 'carol', [...fields, ['namespaces', 'nowhere']])).text();
    expect(empty).toMatch(
      /id="scope-error" role="alert">the scope selects no grants in sync [0-9a-f]{8} of prod\. Widen/,
    );
    const wrongRun = await (await postForm(fixture, 'carol', [...fields, ['run', other.id]])).text();
    expect(wrongRun).toContain(
      `id="run-error" role="alert">no sync run &quot;${other.id}&quot;. Choose another sync run`,
    );
    expect(await listCampaigns(fixture.fresh.store)).toEqual([]);
  });

  it('previews how many items and subjects the scope gives, creating nothing', async () => {
    fixture = await consoleFixture(dialect);
    await seedReviewRun(fixture.fresh.store);
    const response = await postForm(fixture, 'carol', [...goodFields, ['intent', 'preview']]);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/This scope gives 3 items for 3 subjects in sync [0-9a-f]{8} of prod/);
    expect(text).toContain('value="Payments Q4"');
    expect(await listCampaigns(fixture.fresh.store)).toEqual([]);
  });

  it('refuses a post without the session’s CSRF token and creates nothing', async () => {
    fixture = await consoleFixture(dialect);
    await seedReviewRun(fixture.fresh.store);
    expect((await postForm(fixture, 'carol', goodFields, null)).status).toBe(403);
    expect((await postForm(fixture, 'carol', goodFields, csrfOf('bob'))).status).toBe(403);
    expect(await listCampaigns(fixture.fresh.store)).toEqual([]);
  });
});
