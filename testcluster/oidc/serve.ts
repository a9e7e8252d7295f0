import { clusterClaimMapping } from './cluster-trust.js';
import { startOidcProvider } from './provider.js';
import { demoUsers, gatehouseClient } from './users.js';

// `npm run oidc`: the test OpenID Provider on the issuer the test cluster trusts, until Ctrl-C.
try {
  const op = await startOidcProvider({ users: demoUsers });
  const users = Object.entries(demoUsers).map(
    ([name, user]) => `    ${name.padEnd(6)} groups: ${user.groups.join(', ')}`,
  );
  process.stdout.write(
    [
      `Test OpenID Provider at ${op.issuer}`,
      `  CA certificate: ${op.caFile}  (NODE_EXTRA_CA_CERTS=${op.caFile} for Node clients)`,
      `  Gatehouse client: id ${gatehouseClient.clientId}, secret ${gatehouseClient.clientSecret}, PKCE S256,`,
      '    callback http://127.0.0.1:<any port>/auth/callback',
      `  The test cluster maps claim ${clusterClaimMapping.usernameClaim} to ${clusterClaimMapping.usernamePrefix}<user> and ${clusterClaimMapping.groupsClaim} to ${clusterClaimMapping.groupsPrefix}<group>.`,
      '  Sign in as any of (any password):',
      ...users,
      '',
    ].join('\n'),
  );
  const stop = () => void op.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  process.stderr.write(`oidc failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
