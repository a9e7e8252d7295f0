import { afterEach, describe, expect, it } from 'vitest';
import { type ConsoleFixture, consoleFixture, csrfOf } from '../../test/support/console-app.js';
import { dialects } from '../../test/support/stores.js';
import { listFlows } from '../access/index.js';
import { fieldPathOf } from './flows.js';

const newFlow = `kind: AccessFlow
metadata: {name: night-shift}
spec:
  requesters: {groups: [responders]}
  clusters: [prod]
  namespaces: [payments]
  roles: [{kind: ClusterRole, name: view}]
  approvers: {users: [bob]}
  maxDuration: 1h
`;

describe.each(dialects)('the flows page on %s', (dialect) => {
  let fixture: ConsoleFixture | undefined;
  afterEach(async () => fixture?.fresh.cleanup());

  /** Posts YAML as the browser does for this form: multipart, as an uploaded file. */
  const upload = (person: 'carol' | 'alice', yaml: string) => {
    const form = new FormData();
    form.set('_csrf', csrfOf(person));
    form.set('yaml', '');
    form.set('file', new File([yaml], 'flows.yaml', { type: 'application/yaml' }));
    return fixture!.app.request('/access/flows', {
      method: 'POST',
      headers: { cookie: `test-person=${person}` },
      body: form,
    });
  };

  it('lists every flow, and gives only admins the form to change them', async () => {
    fixture = await consoleFixture(dialect);
    const alice = await (await fixture.visit('alice', '/access/flows')).text();
    expect(alice).toContain('<strong>oncall</strong>');
    expect(alice).toContain('<strong>creds</strong>');
    expect(alice).not.toContain('action="/access/flows"');
    const carol = await (await fixture.visit('carol', '/access/flows')).text();
    expect(carol).toContain('enctype="multipart/form-data"');
    expect(carol).toContain(`name="_csrf" value="${csrfOf('carol')}"`);
  });

  it('applies an uploaded file for an admin', async () => {
    fixture = await consoleFixture(dialect);
    const response = await upload('carol', newFlow);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Applied: night-shift.');
    expect((await listFlows(fixture.fresh.store)).map((flow) => flow.name)).toContain('night-shift');
  });

  it('shows a validation error with its field path and keeps the pasted text', async () => {
    fixture = await consoleFixture(dialect);
    const broken = newFlow.replace('kind: ClusterRole, name: view', 'kind: Clusterrole, name: view');
    const response = await fixture.post('carol', '/access/flows', { yaml: broken });
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('Field <code>spec.roles[0].kind</code>');
    expect(page).toContain('must be Role, ClusterRole or AccessPolicy');
    expect(page).toContain('kind: Clusterrole');
    expect((await listFlows(fixture.fresh.store)).map((flow) => flow.name)).not.toContain('night-shift');
  });

  it('refuses a non-admin before reading what they sent', async () => {
    fixture = await consoleFixture(dialect);
    const response = await upload('alice', 'not: [valid');
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('alice may not change access flows');
  });
});

describe('the field path of a flow error', () => {
  it('is read from the message, for nested fields and the document kind', () => {
    expect(fieldPathOf('flows.yaml: flow x: spec.approvers.required: must be a whole number ≥ 1')).toBe(
      'spec.approvers.required',
    );
    expect(fieldPathOf('pasted YAML: metadata.name: must be a lowercase name')).toBe('metadata.name');
    expect(fieldPathOf('pasted YAML: kind must be AccessFlow')).toBe('kind');
    expect(fieldPathOf('pasted YAML (document 1): not valid YAML: bad indentation')).toBeUndefined();
  });
});
