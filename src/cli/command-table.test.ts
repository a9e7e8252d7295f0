import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandNamed, commandTable } from './command-table.js';

describe('the command table', () => {
  it('finds the command after global flags and their values', () => {
    expect(commandNamed(['--context', 'rbac', 'clusters', 'list'])?.name).toBe('clusters');
    expect(commandNamed(['-o', 'json', '--kubeconfig', '/tmp/k', 'rbac', 'can-i'])?.name).toBe('rbac');
    expect(commandNamed(['--debug', 'acquire', 'web-1'])?.name).toBe('acquire');
  });

  it('finds the command `help X` asks about, and none for --help, --version or unknown words', () => {
    expect(commandNamed(['help', 'access'])?.name).toBe('access');
    expect(commandNamed(['--help'])).toBeUndefined();
    expect(commandNamed(['--version'])).toBeUndefined();
    expect(commandNamed(['frobnicate'])).toBeUndefined();
    expect(commandNamed(['--', 'rbac'])).toBeUndefined();
  });

  it('loads, for each entry, a command of that name whose description is the summary listed in --help', async () => {
    for (const entry of commandTable) {
      const program = new Command();
      (await entry.load())(program, async () => undefined);
      const command = program.commands.find((candidate) => candidate.name() === entry.name);
      expect(command?.description(), entry.name).toBe(entry.summary);
    }
  });
});
