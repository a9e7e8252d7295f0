import type { Command } from 'commander';
import { parseDuration } from '../../access/index.js';
import { createToken, listTokens, localPrincipal, revokeToken } from '../../identity/index.js';
import type { Runner } from '../context.js';
import { withStore } from '../open-store.js';
import { render } from '../output.js';

export function registerTokens(program: Command, run: Runner): void {
  const tokens = program
    .command('tokens')
    .description('API tokens for `gatehouse serve` (only their hash is stored)');
  tokens
    .command('create')
    .requiredOption(
      '--user <name>',
      'the user the token speaks for (as approvers and requesters are named in flows)',
    )
    .option(
      '--group <name>',
      'a group of that user (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--admin', 'may apply access flows through the API')
    .option('--expires <duration>', 'lifetime, e.g. 30d (default: until revoked)')
    .description('Mint a token; it is printed once and cannot be shown again')
    .action((flags: { user: string; group: string[]; admin?: boolean; expires?: string }) =>
      run(async (context) => {
        const created = await withStore(context, (store) =>
          createToken(store, {
            user: flags.user,
            groups: flags.group,
            admin: flags.admin === true,
            ...(flags.expires ? { expiresInSeconds: parseDuration(flags.expires, '--expires') } : {}),
            createdBy: localPrincipal().subject,
          }),
        );
        if (context.output === 'table') {
          context.stdout(`${created.token}\n`);
          context.stderr(
            `token ${created.id.slice(0, 8)} for ${flags.user}${created.expiresAt ? `, expires ${created.expiresAt}` : ''}; store it now, it is not shown again\n`,
          );
        } else {
          context.stdout(render(context.output, [created], [], created));
        }
        return 0;
      }),
    );
  tokens
    .command('list')
    .description('Tokens (never their secret)')
    .action(() =>
      run(async (context) => {
        const list = await withStore(context, listTokens);
        context.stdout(
          render(
            context.output,
            list,
            [
              { header: 'ID', value: (row) => row.id.slice(0, 8) },
              { header: 'USER', value: (row) => row.user },
              { header: 'GROUPS', value: (row) => row.groups.join(',') },
              { header: 'ADMIN', value: (row) => (row.admin ? 'yes' : '') },
              { header: 'EXPIRES', value: (row) => row.expiresAt ?? 'never' },
              { header: 'REVOKED', value: (row) => row.revokedAt ?? '' },
              { header: 'LAST USED', value: (row) => row.lastUsedAt ?? '' },
            ],
            list,
          ),
        );
        return 0;
      }),
    );
  tokens
    .command('revoke')
    .argument('<id>')
    .description('Revoke a token at once')
    .action((id: string) =>
      run(async (context) => {
        const token = await withStore(context, (store) => revokeToken(store, id, localPrincipal().subject));
        context.stdout(`token ${token.id.slice(0, 8)} of ${token.user} revoked\n`);
        return 0;
      }),
    );
}
