import type { Hono } from 'hono';
import { type AccessFlow, applyFlows, listFlows, type Principals, parseFlowFile } from '../access/index.js';
import { AppError, isAppError } from '../errors.js';
import { hasRole, requireRole } from '../identity/index.js';
import type { ConsoleEnv } from '../server/env.js';
import { Csrf, Empty, formatSeconds } from './components.js';
import { type ConsoleContext, html, page, type Signed } from './http.js';
import { Layout } from './layout.js';
import type { ConsoleOptions } from './options.js';

/** The field a flow file error names (`spec.roles[0].kind`), so the page can point at it. */
export function fieldPathOf(message: string): string | undefined {
  const path = /\b((?:spec|metadata)(?:\.[A-Za-z]+|\[\d+\])*)/.exec(message)?.[1];
  if (path) return path;
  return /: kind must be/.test(message) ? 'kind' : undefined;
}

function who(principals: Principals): string {
  const parts = [
    ...principals.users.map((user) => `user ${user}`),
    ...principals.groups.map((group) => `group ${group}`),
  ];
  return parts.join(', ') || '–';
}

function FlowTable(props: { flows: readonly AccessFlow[] }) {
  if (props.flows.length === 0) return <Empty>No access flows yet.</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Mode</th>
            <th scope="col">Who may request</th>
            <th scope="col">Clusters</th>
            <th scope="col">Roles</th>
            <th scope="col">Approvers</th>
            <th scope="col">Longest</th>
          </tr>
        </thead>
        <tbody>
          {props.flows.map((flow) => (
            <tr>
              <td>
                <strong>{flow.name}</strong>
              </td>
              <td>{flow.mode}</td>
              <td class="wrap">{who(flow.requesters)}</td>
              <td class="wrap">{flow.clusters.join(', ')}</td>
              <td class="wrap">
                {flow.roles
                  .map(
                    (role) => `${role.kind}/${role.name}${role.scope === 'cluster' ? ' (cluster-wide)' : ''}`,
                  )
                  .join(', ')}
              </td>
              <td class="wrap">{`${who(flow.approvers)}; ${flow.approvers.required} needed`}</td>
              <td>{formatSeconds(flow.maxDurationSeconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Outcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'applied'; readonly applied: readonly string[]; readonly refused: readonly string[] }
  | {
      readonly kind: 'invalid';
      readonly message: string;
      readonly fix: string | undefined;
      readonly path: string | undefined;
    };

function OutcomeNotice(props: { outcome: Outcome }) {
  const { outcome } = props;
  switch (outcome.kind) {
    case 'none':
      return null;
    case 'applied':
      return (
        <div class="notice ok" role="status">
          <p>{`Applied: ${outcome.applied.join(', ')}.`}</p>
          {outcome.refused.length > 0 ? (
            <p>{`${outcome.refused.length} pending request(s) the flows no longer allow were ended.`}</p>
          ) : null}
        </div>
      );
    case 'invalid': {
      const { path, message } = outcome;
      const at = path ? message.indexOf(`${path}: `) : -1;
      const flow = /flow ([a-z0-9-]+): /.exec(message)?.[1];
      return (
        <div class="notice error" role="alert" id="flows-error">
          <p>
            <strong>The flows were not applied.</strong>
          </p>
          {path && at >= 0 ? (
            <p>
              Field <code>{path}</code>
              {`${flow ? ` of flow ${flow}` : ''}: ${message.slice(at + path.length + 2)}`}
            </p>
          ) : (
            <p>{message}</p>
          )}
          {outcome.fix && outcome.fix !== 'Fix the flow file' ? <p>{outcome.fix}</p> : null}
        </div>
      );
    }
    default: {
      const unknown: never = outcome;
      return unknown;
    }
  }
}

function UploadForm(props: { csrf: string; text: string; invalid: boolean }) {
  return (
    <form method="post" action="/access/flows" enctype="multipart/form-data" class="stack">
      <Csrf token={props.csrf} />
      <div class="field">
        <label for="flows-text">Flow YAML</label>
        <textarea
          id="flows-text"
          name="yaml"
          class="code"
          spellcheck={false}
          aria-invalid={props.invalid ? 'true' : undefined}
          aria-describedby={props.invalid ? 'flows-error' : undefined}
        >
          {props.text}
        </textarea>
        <span class="hint">
          One or more AccessFlow documents separated by ---. Flows with the same name are replaced.
        </span>
      </div>
      <div class="field">
        <label for="flows-file">Or upload a file</label>
        <input type="file" id="flows-file" name="file" accept=".yaml,.yml,text/yaml" />
      </div>
      <div>
        <button type="submit">Apply flows</button>
      </div>
    </form>
  );
}

async function flowsPage(
  c: ConsoleContext,
  options: ConsoleOptions,
  signed: Signed,
  state: { outcome: Outcome; text: string },
  status = 200,
): Promise<Response> {
  const admin = hasRole(signed.principal, 'admin');
  return await html(
    c,
    <Layout signed={signed} path="/access/flows" title="Access flows">
      <p class="lead">
        Each flow says who may request which roles on which clusters, for how long, and who approves.
      </p>
      <OutcomeNotice outcome={state.outcome} />
      <FlowTable flows={await listFlows(options.store)} />
      {admin ? (
        <section class="card" aria-labelledby="apply-flows">
          <h2 id="apply-flows">Add or change flows</h2>
          <UploadForm csrf={signed.csrf} text={state.text} invalid={state.outcome.kind === 'invalid'} />
        </section>
      ) : null}
    </Layout>,
    status,
  );
}

/** The uploaded file if one was chosen, else the pasted text, with the name errors will cite. */
async function flowText(c: ConsoleContext): Promise<{ text: string; origin: string }> {
  const body = await c.req.parseBody();
  const file = body.file;
  if (file instanceof File && file.size > 0)
    return { text: await file.text(), origin: file.name || 'uploaded file' };
  return { text: typeof body.yaml === 'string' ? body.yaml : '', origin: 'pasted YAML' };
}

/** `/access/flows`: every flow; admins paste or upload YAML to change them. */
export function mountFlows(app: Hono<ConsoleEnv>, options: ConsoleOptions): void {
  app.get(
    '/access/flows',
    page(options, (c, signed) => flowsPage(c, options, signed, { outcome: { kind: 'none' }, text: '' })),
  );
  app.post(
    '/access/flows',
    page(options, async (c, signed) => {
      // Refused before the body is parsed, as in the API: a non-admin learns nothing from validation.
      requireRole(signed.principal, 'admin', 'change access flows');
      const { text, origin } = await flowText(c);
      try {
        const flows = parseFlowFile(text, origin);
        if (flows.length === 0)
          throw new AppError('input.invalid', `${origin} holds no AccessFlow document`, {
            fix: 'Paste or upload YAML with kind: AccessFlow',
          });
        const applied = await applyFlows(options.store, signed.principal, flows);
        options.onChange?.();
        return await flowsPage(c, options, signed, { outcome: { kind: 'applied', ...applied }, text: '' });
      } catch (error) {
        if (!isAppError(error) || error.code !== 'input.invalid') throw error;
        const outcome: Outcome = {
          kind: 'invalid',
          message: error.message,
          fix: error.fix,
          path: fieldPathOf(error.message),
        };
        return await flowsPage(c, options, signed, { outcome, text }, 400);
      }
    }),
  );
}
