import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { endSession, listSessions, localPrincipal } from '../../identity/index.js';
import type { Runner } from '../context.js';
import { withStore } from '../open-store.js';
import { render } from '../output.js';

export function registerSessions(program: Command, run: Runner): void {
  const sessions = program
    .command('sessions')
    .description('Signed-in sessions of `gatehouse serve` (browser and CLI): list and revoke');
  sessions
    .command('list')
    .description('Live sessions, newest first (never their id)')
    .action(() =>
      run(async (context) => {
        const list = await withStore(context, (store) => listSessions(store));
        context.stdout(
          render(
            context.output,
            list,
            [
              { header: 'REF', value: (row) => row.ref.slice(0, 8) },
              { header: 'SUBJECT', value: (row) => row.principal.subject },
              { header: 'KIND', value: (row) => row.kind },
              { header: 'METHOD', value: (row) => row.method },
              { header: 'ROLES', value: (row) => row.principal.roles.join(',') },
              { header: 'CREATED', value: (row) => row.createdAt },
              { header: 'EXPIRES', value: (row) => row.expiresAt },
            ],
            list,
          ),
        );
        return 0;
      }),
    );
  sessions
    .command('revoke')
    .argument('<ref>', 'the reference `sessions list` shows (a unique prefix will do)')
    .description('End a session at once; its holder must sign in again')
    .action((ref: string) =>
      run(async (context) => {
        const ended = await withStore(context, async (store) => {
          const matching = (await listSessions(store)).filter((session) => session.ref.startsWith(ref));
          if (matching.length !== 1 || ref.length === 0)
            throw new AppError(
              'not-found',
              matching.length === 0 ? `no live session ${ref}` : `session ref ${ref} is ambiguous`,
              { fix: 'List sessions with `gatehouse sessions list`; give more characters of the ref' },
            );
          const session = matching[0]!;
          await endSession(store, { ref: session.ref, actor: localPrincipal().subject, reason: 'revoked' });
          return session;
        });
        context.stdout(`session ${ended.ref.slice(0, 8)} of ${ended.principal.subject} revoked\n`);
        return 0;
      }),
    );
}
