import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  type Agent,
  agentState,
  createAgent,
  listAgents,
  revokeAgent,
  rotateAgentToken,
  runAgent,
} from '../../agent/index.js';
import { AppError, messageOf } from '../../errors.js';
import { localPrincipal } from '../../identity/index.js';
import { clientNode, KubeClient, loadKubeconfig } from '../../kube/index.js';
import type { CommandContext, Runner } from '../context.js';
import { withStore } from '../open-store.js';
import { render } from '../output.js';
import { version } from '../version.js';

function printToken(context: CommandContext, result: { agent: Agent; token: string }, done: string): void {
  if (context.output !== 'table') {
    context.stdout(render(context.output, [result], [], result));
    return;
  }
  context.stdout(`${result.token}\n`);
  context.stderr(
    `${done} agent ${result.agent.name} (cluster ${result.agent.cluster}); store the token now, it is not shown again. In the cluster: gatehouse agent --server URL --token-file FILE (or GATEHOUSE_AGENT_TOKEN)\n`,
  );
}

export function registerAgents(program: Command, run: Runner): void {
  const agents = program
    .command('agents')
    .description(
      'In-cluster agents that connect private clusters to `gatehouse serve`: create, list, rotate, revoke',
    );
  agents
    .command('create')
    .argument('<name>', 'the cluster’s name in Gatehouse becomes agent/NAME')
    .description('Register an agent and print its token once')
    .action((name: string) =>
      run(async (context) => {
        const created = await withStore(context, (store) =>
          createAgent(store, { name, actor: localPrincipal().subject }),
        );
        printToken(context, created, 'created');
        return 0;
      }),
    );
  agents
    .command('rotate')
    .argument('<name>')
    .description('Replace an agent’s token (the old one stops at once); prints the new one once')
    .action((name: string) =>
      run(async (context) => {
        const rotated = await withStore(context, (store) =>
          rotateAgentToken(store, { name, actor: localPrincipal().subject }),
        );
        printToken(context, rotated, 'rotated');
        return 0;
      }),
    );
  agents
    .command('revoke')
    .argument('<name>')
    .description('Revoke an agent’s token: it is disconnected within 10 s and cannot connect again')
    .action((name: string) =>
      run(async (context) => {
        const agent = await withStore(context, (store) =>
          revokeAgent(store, { name, actor: localPrincipal().subject }),
        );
        context.stdout(`agent ${agent.name} revoked; cluster ${agent.cluster} is offline from now on\n`);
        return 0;
      }),
    );
  agents
    .command('list')
    .description('Agents, their clusters and whether they are connected (never their token)')
    .action(() =>
      run(async (context) => {
        const list = await withStore(context, listAgents);
        const rows = list.map((agent) => ({ ...agent, state: agentState(agent) }));
        context.stdout(
          render(context.output, rows, [
            { header: 'NAME', value: (row) => row.name },
            { header: 'CLUSTER', value: (row) => row.cluster },
            { header: 'STATE', value: (row) => row.state },
            {
              header: 'SINCE',
              value: (row) => (row.state === 'online' ? row.connectedAt : row.disconnectedAt) ?? '',
            },
            { header: 'KUBERNETES', value: (row) => row.kubernetesVersion ?? '' },
            { header: 'AGENT', value: (row) => row.agentVersion ?? '' },
            { header: 'LAST ERROR', value: (row) => (row.state === 'online' ? '' : (row.lastError ?? '')) },
          ]),
        );
        return 0;
      }),
    );
}

interface AgentFlags {
  readonly server: string;
  readonly tokenFile?: string;
}

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The agent's client: its ServiceAccount inside a pod, else the kubeconfig (`--kubeconfig`, `--context`). */
function agentClient(context: CommandContext): KubeClient {
  const inPod =
    !context.kubeconfig && context.env.KUBERNETES_SERVICE_HOST && existsSync(`${serviceAccountDir}/token`);
  if (inPod) {
    const config = new (clientNode().KubeConfig)();
    config.loadFromCluster();
    return new KubeClient(config);
  }
  return new KubeClient(
    loadKubeconfig({ path: context.kubeconfig, context: context.context, env: context.env }).config,
  );
}

function tokenSource(flags: AgentFlags, env: NodeJS.ProcessEnv): () => string {
  if (!flags.tokenFile && !env.GATEHOUSE_AGENT_TOKEN)
    throw new AppError('input.invalid', 'the agent has no token', {
      fix: 'Pass --token-file FILE (e.g. a mounted Secret) or set GATEHOUSE_AGENT_TOKEN; `gatehouse agents create NAME` makes one',
    });
  const file = flags.tokenFile;
  if (!file) return () => env.GATEHOUSE_AGENT_TOKEN ?? '';
  return () => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new AppError('config.invalid', `cannot read the agent token from ${file}: ${messageOf(error)}`, {
        fix: 'Mount the agent Secret at that path, or pass another --token-file',
      });
    }
  };
}

export function registerAgent(program: Command, run: Runner): void {
  program
    .command('agent')
    .description('Run in a cluster: dial out to a Gatehouse server and carry its Kubernetes API calls')
    .requiredOption(
      '--server <url>',
      'the Gatehouse server, e.g. https://gatehouse.example.com (HTTPS_PROXY is honoured)',
    )
    .option(
      '--token-file <path>',
      'file holding the agent token (re-read at each reconnect); else GATEHOUSE_AGENT_TOKEN',
    )
    .action((flags: AgentFlags) =>
      run(async (context) => {
        if (!URL.canParse(flags.server) || !/^https?:$/.test(new URL(flags.server).protocol))
          throw new AppError('input.invalid', `--server "${flags.server}" is not an http(s) URL`, {
            fix: 'e.g. --server https://gatehouse.example.com',
          });
        const server = new URL(flags.server).toString();
        const token = tokenSource(flags, context.env);
        token();
        const client = agentClient(context);
        const stop = new AbortController();
        const log = (line: string) => context.stderr(`${new Date().toISOString()} ${line}\n`);
        process.once('SIGINT', () => stop.abort());
        process.once('SIGTERM', () => stop.abort());
        log(`gatehouse agent ${version}: serving ${client.server} to ${server}`);
        await runAgent({ server, token, client, version, env: context.env, log, signal: stop.signal });
        log('stopped');
        return 0;
      }),
    );
}
