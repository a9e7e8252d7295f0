import type { Command } from 'commander';
import type { Runner } from './context.js';

type Register = (program: Command, run: Runner) => void;

/** A top-level command: its one-line summary for `--help`, and how to load its definition. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<Register>;
}

/**
 * Every top-level command, loaded only when it is the one being run: `gatehouse --version` and
 * `--help` load none of them, and a command loads only the capabilities it imports.
 */
export const commandTable: readonly CommandEntry[] = [
  {
    name: 'clusters',
    summary: 'Clusters Gatehouse can reach',
    load: async () => (await import('./commands/clusters.js')).registerClusters,
  },
  {
    name: 'audit',
    summary: 'The signed, hash-chained audit log',
    load: async () => (await import('./commands/audit.js')).registerAudit,
  },
  {
    name: 'rbac',
    summary: 'Access governance: who can do what, from synced clusters or manifests',
    load: async () => (await import('./commands/rbac.js')).registerRbac,
  },
  {
    name: 'reviews',
    summary: 'Access reviews: campaigns that certify or revoke access, proven on the cluster',
    load: async () => (await import('./commands/reviews.js')).registerReviews,
  },
  {
    name: 'targets',
    summary: 'Namespaces → pods → containers that can be acquired, with node, image digest and methods',
    load: async () => (await import('./commands/forensics.js')).registerTargets,
  },
  {
    name: 'acquire',
    summary: 'Acquire volatile state and key files of containers into verifiable evidence packages',
    load: async () => (await import('./commands/forensics.js')).registerAcquire,
  },
  {
    name: 'volume',
    summary:
      'Containers on a node’s disk mounted read-only (containerd, Docker), read without running anything',
    load: async () => (await import('./commands/volume.js')).registerVolume,
  },
  {
    name: 'evidence',
    summary: 'Evidence packages: list, show, verify, timeline, indicators, export',
    load: async () => (await import('./commands/evidence.js')).registerEvidence,
  },
  {
    name: 'providers',
    summary:
      'Cloud accounts Gatehouse finds clusters in (settings only; credentials come from each cloud’s own chain)',
    load: async () => (await import('./commands/providers.js')).registerProviders,
  },
  {
    name: 'usage',
    summary: 'Usage evidence from the Kubernetes API audit log: ingest logs, show who used which permission',
    load: async () => (await import('./commands/usage.js')).registerUsage,
  },
  {
    name: 'setup',
    summary: 'Print what Gatehouse needs granted, least privilege',
    load: async () => (await import('./commands/setup.js')).registerSetup,
  },
  {
    name: 'access',
    summary:
      'Just-in-time access: flows, requests, approvals, expiry (through a Gatehouse server when GATEHOUSE_SERVER and GATEHOUSE_TOKEN are set)',
    load: async () => (await import('./commands/access.js')).registerAccess,
  },
  {
    name: 'serve',
    summary: 'Run the HTTP API, the access reconciler and webhook notifications until stopped',
    load: async () => (await import('./commands/serve.js')).registerServe,
  },
  {
    name: 'login',
    summary: 'Sign in to a Gatehouse server through your browser; keeps a short-lived session token',
    load: async () => (await import('./commands/login.js')).registerLogin,
  },
  {
    name: 'logout',
    summary: 'End the session `gatehouse login` started and forget its token',
    load: async () => (await import('./commands/login.js')).registerLogout,
  },
  {
    name: 'sessions',
    summary: 'Signed-in sessions of `gatehouse serve` (browser and CLI): list and revoke',
    load: async () => (await import('./commands/sessions.js')).registerSessions,
  },
  {
    name: 'tokens',
    summary: 'API tokens for `gatehouse serve` (only their hash is stored)',
    load: async () => (await import('./commands/tokens.js')).registerTokens,
  },
  {
    name: 'agents',
    summary:
      'In-cluster agents that connect private clusters to `gatehouse serve`: create, list, rotate, revoke',
    load: async () => (await import('./commands/agents.js')).registerAgents,
  },
  {
    name: 'agent',
    summary: 'Run in a cluster: dial out to a Gatehouse server and carry its Kubernetes API calls',
    load: async () => (await import('./commands/agents.js')).registerAgent,
  },
];

// Global options that take a value, so the word after them is not taken for the command.
const valueFlags = new Set(['--kubeconfig', '--context', '-o', '--output']);

/** The top-level command the arguments name (`help X` names X), if any. */
export function commandNamed(argv: readonly string[]): CommandEntry | undefined {
  const words: string[] = [];
  for (let index = 0; index < argv.length && words.length < 2; index++) {
    const word = argv[index] as string;
    if (word === '--') break;
    if (valueFlags.has(word)) index++;
    else if (!word.startsWith('-')) words.push(word);
  }
  const name = words[0] === 'help' ? words[1] : words[0];
  return commandTable.find((entry) => entry.name === name);
}
