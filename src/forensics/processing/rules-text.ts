import type { DocumentKind } from './documents.js';
import {
  apiServerUse,
  aspxExecution,
  aspxRequestInput,
  jspExecution,
  jspRequestInput,
  kubectlCommand,
  metadataAccess,
  metadataCredentials,
  minerPattern,
  obfuscatedPhp,
  offensiveToolCommand,
  reverseShells,
  serviceAccountTokenRead,
  webshells,
} from './patterns.js';
import { pattern, type Rule } from './rule-types.js';

/** Every place a command an intruder ran or planted can be read. */
const everywhere: readonly DocumentKind[] = ['history', 'cron', 'shell-rc', 'web', 'script', 'command-line'];
const downloads = reverseShells.filter((shell) => /download|decoded/.test(shell.name));
const connectBack = reverseShells.filter((shell) => !downloads.includes(shell));

/** Rules over text: shell histories, crontabs, shell profiles, web roots, scripts, command lines. */
export const textRules: readonly Rule[] = [
  {
    id: 'reverse-shell',
    severity: 'critical',
    title: 'process is a reverse shell',
    why: 'A shell wired to a network socket gives an intruder interactive control of the container.',
    match: { kind: 'line', documents: ['command-line'], patterns: reverseShells },
  },
  {
    id: 'history-reverse-shell',
    severity: 'high',
    title: 'shell history runs a reverse shell or downloaded code',
    why: 'Someone typed a connect-back shell or ran a downloaded script in this container.',
    match: { kind: 'line', documents: ['history'], patterns: reverseShells, ignoreComments: true },
  },
  {
    id: 'history-miner',
    severity: 'high',
    title: 'shell history mentions a miner',
    why: 'Cryptomining is the most common payload of Kubernetes intrusions.',
    match: { kind: 'line', documents: ['history'], patterns: [pattern('miner', minerPattern)] },
  },
  {
    id: 'history-token-read',
    severity: 'medium',
    title: 'shell history reads the service-account token',
    why: "The pod's token is its identity at the API server; reading it by hand is the first step of lateral movement.",
    match: {
      kind: 'line',
      documents: ['history'],
      patterns: [pattern('token read', serviceAccountTokenRead)],
      ignoreComments: true,
    },
  },
  {
    id: 'history-cleared',
    severity: 'medium',
    title: 'shell history was cleared or disabled',
    why: 'Clearing history hides what was done (anti-forensics).',
    match: {
      kind: 'line',
      documents: ['history'],
      patterns: [
        pattern(
          'history cleared',
          /^\s*(history\s+-c|unset\s+HISTFILE|export\s+HISTFILE=\/dev\/null|HISTSIZE=0)/,
        ),
      ],
    },
  },
  {
    id: 'history-offensive-tool',
    severity: 'medium',
    title: 'shell history runs an attack or container-escape tool',
    why: 'Scanners, tunnels, kubelet and runtime clients are how intruders move from a pod to the node and the cluster.',
    match: {
      kind: 'line',
      documents: ['history'],
      patterns: [pattern('tool', offensiveToolCommand)],
      ignoreComments: true,
    },
  },
  {
    id: 'cron-download',
    severity: 'high',
    title: 'crontab downloads and runs code',
    why: 'A scheduled download-and-run keeps re-infecting the container (the miner campaigns’ persistence).',
    match: { kind: 'line', documents: ['cron'], patterns: downloads, ignoreComments: true },
  },
  {
    id: 'persistence-reverse-shell',
    severity: 'critical',
    title: 'crontab or shell profile opens a reverse shell',
    why: 'A connect-back shell re-opened on a schedule or at every login is persistent remote control.',
    match: { kind: 'line', documents: ['cron', 'shell-rc'], patterns: connectBack, ignoreComments: true },
  },
  {
    id: 'shell-rc-download',
    severity: 'high',
    title: 'shell profile downloads and runs code',
    why: 'Profiles and rc files run at every login and every `sh -l`: planted code there runs again and again.',
    match: { kind: 'line', documents: ['shell-rc'], patterns: downloads, ignoreComments: true },
  },
  {
    id: 'shell-rc-persistence',
    severity: 'high',
    title: 'shell profile starts a program from a writable place or preloads a library',
    why: 'Starting a binary from /tmp or /dev/shm, a nohup background job or LD_PRELOAD in an rc file is persistence.',
    match: {
      kind: 'line',
      documents: ['shell-rc'],
      ignoreComments: true,
      patterns: [
        pattern(
          'runs a program from a writable directory',
          /(^|[;&|(]\s*|\b(nohup|setsid|exec)\s+)(\/tmp|\/var\/tmp|\/dev\/shm)\/\S+/,
        ),
        pattern('background job', /\bnohup\b[^\n]{0,300}&\s*$/),
        pattern('library preloaded', /\bLD_PRELOAD=/),
      ],
    },
  },
  {
    id: 'shell-rc-hijack',
    severity: 'medium',
    title: 'shell profile hijacks commands or the prompt',
    why: 'An alias for sudo/su/ssh captures passwords; a DEBUG trap or PROMPT_COMMAND runs code before every command.',
    match: {
      kind: 'line',
      documents: ['shell-rc'],
      ignoreComments: true,
      patterns: [
        pattern('alias for a credential-taking command', /\balias\s+(sudo|su|ssh|passwd|scp|kubectl)=/),
        pattern('DEBUG trap', /\btrap\s+\S[^\n]{0,300}\s(DEBUG|RETURN)\b/),
        pattern(
          'prompt command runs a program',
          /\bPROMPT_COMMAND=[^\n]{0,300}(curl|wget|\bnc\b|base64|\/dev\/tcp|\/tmp\/|\/dev\/shm\/)/,
        ),
      ],
    },
  },
  {
    id: 'webshell',
    severity: 'critical',
    title: 'webshell: a request parameter reaches code execution',
    why: 'A page that passes request input to eval or a shell gives anyone who can reach it command execution.',
    match: { kind: 'line', documents: ['web', 'script'], patterns: webshells },
  },
  {
    id: 'webshell-jsp',
    severity: 'critical',
    title: 'JSP webshell: reads a request parameter and runs a process',
    why: 'Runtime.exec or ProcessBuilder next to request.getParameter is the classic JSP command shell.',
    match: { kind: 'document', documents: ['web'], all: [jspExecution, jspRequestInput] },
  },
  {
    id: 'webshell-aspx',
    severity: 'critical',
    title: 'ASP.NET webshell: reads the request and starts a process',
    why: 'Process.Start next to Request input is the classic ASPX command shell.',
    match: { kind: 'document', documents: ['web'], all: [aspxExecution, aspxRequestInput] },
  },
  {
    id: 'webshell-obfuscated',
    severity: 'high',
    title: 'obfuscated PHP evaluated at run time',
    why: 'eval of base64/gzinflate/rot13 text hides a payload from review; packed webshells look like this.',
    match: {
      kind: 'line',
      documents: ['web', 'script'],
      patterns: [pattern('obfuscated eval', obfuscatedPhp)],
    },
  },
  {
    id: 'script-reverse-shell',
    severity: 'high',
    title: 'script or web file opens a reverse shell or runs downloaded code',
    why: 'A dropped script with a connect-back shell or a download-and-run is an intruder’s tooling.',
    match: { kind: 'line', documents: ['web', 'script'], patterns: reverseShells, ignoreComments: true },
  },
  {
    id: 'cloud-metadata-credentials',
    severity: 'high',
    title: 'cloud instance metadata asked for credentials',
    why: 'The node’s cloud role credentials (AWS IMDS, ECS, GCP, Azure IMDS) let an intruder leave the cluster for the cloud account.',
    match: {
      kind: 'line',
      documents: everywhere,
      patterns: [pattern('metadata credentials', metadataCredentials)],
    },
  },
  {
    id: 'cloud-metadata-access',
    severity: 'medium',
    title: 'cloud instance metadata endpoint reached',
    why: 'Probing the metadata service is reconnaissance before credential theft.',
    match: { kind: 'line', documents: everywhere, patterns: [pattern('metadata endpoint', metadataAccess)] },
  },
  {
    id: 'sa-token-api-use',
    severity: 'high',
    title: "the pod's service-account token is used against the API server",
    why: 'Reading the token and calling the API server (curl with a Bearer header, kubectl) is how an intruder moves from a pod into the cluster.',
    match: { kind: 'document', documents: everywhere, all: [serviceAccountTokenRead, apiServerUse] },
  },
  {
    id: 'kubectl-in-pod',
    severity: 'high',
    title: 'kubectl run inside the container',
    why: "kubectl in a pod talks to the API server with the pod's own service-account token.",
    match: {
      kind: 'line',
      documents: ['history', 'command-line', 'script', 'cron', 'shell-rc'],
      patterns: [pattern('kubectl', kubectlCommand)],
      ignoreComments: true,
    },
  },
];
