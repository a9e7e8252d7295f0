import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { listFlows, parseFlowFile, saveFlows } from '../src/access/index.js';
import { openStore } from '../src/store/index.js';
import { type OidcProvider, startOidcProvider } from '../testcluster/oidc/index.js';
import { demoUsers, gatehouseClient } from '../testcluster/oidc/users.js';
import { cacheRoot } from '../testcluster/paths.js';

/** Where the demo keeps its store and config, apart from a user's own `~/.gatehouse`. */
export const demoHome = join(cacheRoot(), 'demo');

/**
 * The first flow of the demo: developers ask for view or edit in the seeded namespaces for up to
 * an hour, and an approver decides. Written only when the demo store has no flow yet, so what a
 * person changes in the console stays.
 */
const demoFlow = `kind: AccessFlow
metadata: {name: demo}
spec:
  requesters: {groups: ['oidc:devs']}
  approvers: {groups: ['oidc:approvers']}
  namespaces: [dev, storefront, payments]
  roles: [{kind: ClusterRole, name: view}, {kind: ClusterRole, name: edit}]
  maxDuration: 1h
`;

export interface Demo {
  readonly provider: OidcProvider;
  /** Environment for the CLI: the demo's home and the test client's secret (never in a file). */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The test cluster's sign-in for `npm start`: the local OpenID Provider the cluster trusts, with
 * the demo people, and a config that maps their groups to Gatehouse roles.
 */
export async function startDemo(kubeconfig: string): Promise<Demo> {
  const provider = await startOidcProvider({ users: demoUsers });
  mkdirSync(demoHome, { recursive: true, mode: 0o700 });
  const config = {
    kubeconfig,
    oidc: {
      issuer: provider.issuer,
      clientId: gatehouseClient.clientId,
      caFile: provider.caFile,
      roles: { admin: ['oidc:gatehouse-admins'], auditor: ['oidc:auditors'], responder: ['oidc:responders'] },
    },
  };
  writeFileSync(join(demoHome, 'config.yaml'), toYaml(config), { mode: 0o600 });
  const store = await openStore({ dataDir: demoHome });
  try {
    if ((await listFlows(store)).length === 0)
      await saveFlows(store, parseFlowFile(demoFlow, 'demo'), 'npm start');
  } finally {
    await store.close();
  }
  return {
    provider,
    env: { GATEHOUSE_HOME: demoHome, GATEHOUSE_OIDC_CLIENT_SECRET: gatehouseClient.clientSecret ?? '' },
  };
}

/** What the demo people are for, printed beside the URL. */
export function demoPeople(): string[] {
  const parts: Record<string, string> = {
    alice: 'requests access (devs)',
    bob: 'approves it (approvers)',
    carol: 'administers Gatehouse',
    dave: 'audits (reads everything, changes nothing)',
    rita: 'responds to incidents (forensics)',
  };
  return Object.keys(demoUsers).map((name) => `    ${name.padEnd(6)} ${parts[name] ?? ''}`);
}
