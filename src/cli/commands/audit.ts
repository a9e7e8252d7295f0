import type { Command } from 'commander';
import { listAudit, verifyAudit } from '../../audit/index.js';
import type { Store } from '../../store/index.js';
import type { CommandContext } from '../context.js';
import { render } from '../output.js';

export async function withStore<T>(context: CommandContext, work: (store: Store) => Promise<T>): Promise<T> {
  // Loaded here, not at the top: commands that never open the store (offline queries) skip it.
  const { openStore } = await import('../../store/index.js');
  const store = await openStore({ url: context.config.databaseUrl, dataDir: context.config.dataDir });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export function registerAudit(
  program: Command,
  run: (action: (context: CommandContext) => Promise<number>) => Promise<void>,
): void {
  const audit = program.command('audit').description('The hash-chained audit log');
  audit
    .command('verify')
    .description('Re-hash the audit chain and name every edited or removed entry (exit 1 if any)')
    .option('--head <hash>', 'the chain head recorded earlier, to detect removal of the newest entries')
    .action((options: { head?: string }) =>
      run(async (context) => {
        const report = await withStore(context, (store) =>
          verifyAudit(store, options.head ? { expectedHead: options.head } : {}),
        );
        if (context.output === 'table') {
          const verdict = report.ok ? 'intact' : `BROKEN (${report.problems.length} problems)`;
          context.stdout(`audit chain ${verdict}: ${report.checked} entries, head ${report.head}\n`);
          for (const problem of report.problems)
            context.stdout(`  entry ${problem.seq}: ${problem.problem}\n`);
        } else {
          context.stdout(render(context.output, [report], [], report));
        }
        return report.ok ? 0 : 1;
      }),
    );
  audit
    .command('export')
    .description('Write the audit log as JSON lines, oldest first')
    .action(() =>
      run(async (context) => {
        const events = await withStore(context, (store) => listAudit(store));
        for (const event of events) context.stdout(`${JSON.stringify(event)}\n`);
        return 0;
      }),
    );
}
