import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';
import { KubeClient, loadKubeconfig } from '../src/kube/index.js';
import { clusterName, kubeconfigPath, kwokWorkdir } from './paths.js';
import { progress, StepError } from './run.js';

export interface Flag {
  readonly key: string;
  readonly value: string;
}

interface Component {
  readonly name: string;
  readonly binary: string;
  readonly args: readonly string[];
  readonly workDir: string;
}

/** `args` with each flag set to its wanted value (replacing an older value of the same flag). */
export function withFlags(args: readonly string[], flags: readonly Flag[]): string[] {
  if (flags.every((flag) => args.includes(`--${flag.key}=${flag.value}`))) return [...args];
  const keys = new Set(flags.map((flag) => `--${flag.key}=`));
  const kept = args.filter((arg) => ![...keys].some((key) => arg.startsWith(key)));
  return [...kept, ...flags.map((flag) => `--${flag.key}=${flag.value}`)];
}

/**
 * Gives a running cluster's kube-apiserver the flags a newer `clusterUp` wants (the audit log,
 * for one) without starting afresh: etcd, its data and every other component keep running. The
 * flags are written to kwokctl's own config, so a later `kwokctl start` keeps them, and only the
 * apiserver process is restarted. Returns true when it restarted it. Callers hold the e2e lock.
 */
export async function ensureApiserverFlags(root: string, flags: readonly Flag[]): Promise<boolean> {
  const workdir = join(kwokWorkdir(root), 'clusters', clusterName);
  const configPath = join(workdir, 'kwok.yaml');
  const documents = parseAllDocuments(readFileSync(configPath, 'utf8'));
  const config = documents.find((document) => document.get('kind') === 'KwokctlConfiguration');
  const components = (config?.toJS() as { components?: Component[] } | undefined)?.components ?? [];
  const index = components.findIndex((component) => component.name === 'kube-apiserver');
  const apiserver = components[index];
  if (!config || !apiserver) throw new StepError(`${configPath} has no kube-apiserver component`);
  const args = withFlags(apiserver.args, flags);
  if (args.join('\n') === apiserver.args.join('\n')) return false;
  progress('restarting kube-apiserver with new flags (etcd and its data stay)');
  config.setIn(['components', index, 'args'], args);
  writeFileSync(
    configPath,
    documents.map((document) => document.toString({ indentSeq: false, lineWidth: 0 })).join(''),
  );
  await stopProcess(join(workdir, 'pids', 'kube-apiserver.pid'));
  startDetached(
    { ...apiserver, args },
    join(workdir, 'logs', 'kube-apiserver.log'),
    join(workdir, 'pids', 'kube-apiserver.pid'),
  );
  await waitReady(root);
  return true;
}

/**
 * Starts again any component of a running cluster whose process has died (kwokctl does not watch
 * them): the controller manager and the scheduler lose their leader lease and exit when the
 * apiserver restarts, and without them Deployments get no pods. Returns the names restarted.
 * Callers hold the e2e lock.
 */
export async function restartStoppedComponents(root: string): Promise<string[]> {
  const workdir = join(kwokWorkdir(root), 'clusters', clusterName);
  const configPath = join(workdir, 'kwok.yaml');
  const documents = parseAllDocuments(readFileSync(configPath, 'utf8'));
  const config = documents.find((document) => document.get('kind') === 'KwokctlConfiguration');
  const components = (config?.toJS() as { components?: Component[] } | undefined)?.components ?? [];
  const stopped = components.filter(
    (component) => !isRunning(join(workdir, 'pids', `${component.name}.pid`)),
  );
  for (const component of stopped) {
    progress(`${component.name} had stopped; starting it again`);
    startDetached(
      component,
      join(workdir, 'logs', `${component.name}.log`),
      join(workdir, 'pids', `${component.name}.pid`),
    );
  }
  if (stopped.some((component) => component.name === 'kube-apiserver')) await waitReady(root);
  return stopped.map((component) => component.name);
}

function isRunning(pidFile: string): boolean {
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopProcess(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 300 && alive(); waited++) await sleep(100);
  if (alive()) process.kill(pid, 'SIGKILL');
}

/** As kwokctl's binary runtime does: its own session, output appended to the component's log. */
function startDetached(component: Component, logFile: string, pidFile: string): void {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(component.binary, [...component.args], {
      cwd: component.workDir,
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new StepError(`starting ${component.binary} failed`);
    writeFileSync(pidFile, String(child.pid));
    child.unref();
  } finally {
    closeSync(log);
  }
}

async function waitReady(root: string): Promise<void> {
  const client = new KubeClient(loadKubeconfig({ path: kubeconfigPath(root) }).config, { timeoutMs: 3000 });
  for (let attempt = 0; attempt < 240; attempt++) {
    try {
      await client.requestText({ path: '/readyz' });
      return;
    } catch {
      await sleep(500);
    }
  }
  throw new StepError(
    'restarting kube-apiserver: it did not become ready within 2 minutes (see logs/kube-apiserver.log in the cluster directory)',
  );
}
