/**
 * The vocabulary the indicator rules are written in: named patterns for techniques seen in
 * Kubernetes intrusions, and the places a container's intruder can write to.
 */

/** A pattern and the name an analyst knows the technique by. */
export interface NamedPattern {
  readonly name: string;
  readonly pattern: RegExp;
}

export const reverseShells: readonly NamedPattern[] = [
  { name: 'netcat executing a shell', pattern: /\b(nc|ncat|netcat)\b[^\n]{0,300}\s-e\s*\S*sh\b/ },
  { name: 'bash /dev/tcp redirection', pattern: /\/dev\/(tcp|udp)\/[^\s/]+\/\d+/ },
  { name: 'socat exec', pattern: /\bsocat\b[^\n]{0,300}exec:/i },
  {
    name: 'scripted socket shell',
    pattern: /\b(python[23]?|perl|ruby|php)\b[^\n]{0,300}socket[^\n]{0,300}(connect|fsockopen)/i,
  },
  { name: 'download piped into a shell', pattern: /\b(curl|wget)\b[^\n|]{0,300}\|\s*(ba|da|a)?sh\b/ },
  {
    name: 'decoded payload piped into a shell',
    pattern: /base64\s+(-d|--decode)[^\n|]{0,300}\|\s*(ba|da|a)?sh\b/,
  },
];

export const minerPattern =
  /\b(xmrig|xmr-stak|minerd|cpuminer|cgminer|kinsing|kdevtmpfsi|t-rex|nbminer|lolminer)\b|stratum\+(tcp|ssl):\/\/|--donate-level|cryptonight|randomx/i;

/** A request parameter reaching code execution, per server-side language. */
export const webshells: readonly NamedPattern[] = [
  {
    name: 'PHP request parameter passed to eval/exec',
    pattern:
      /\b(eval|assert|system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|create_function|call_user_func(_array)?)\s*\([^;]{0,200}?\$_(GET|POST|REQUEST|COOKIE|SERVER|FILES)\b/i,
  },
  {
    name: 'PHP request parameter called as a function',
    pattern: /\$_(GET|POST|REQUEST|COOKIE)\s*\[[^\]]{0,60}\]\s*\(/i,
  },
  { name: 'PHP request parameter in backticks', pattern: /`[^`]{0,40}\$_(GET|POST|REQUEST|COOKIE)\b/i },
  {
    name: 'ASP request parameter passed to eval/execute',
    pattern: /\b(eval|execute|executeglobal)\s*\(?\s*request\s*(\.\s*(item|form|querystring))?\s*[([]/i,
  },
  {
    name: 'CGI query string passed to a shell',
    pattern: /\b(eval|system|exec|qx|popen)\b[^\n]{0,80}\$(\{|ENV\{\s*['"]?)?QUERY_STRING/,
  },
  {
    name: 'Python request parameter passed to a shell or eval',
    pattern:
      /\b(os\.system|os\.popen|subprocess\.\w+|eval|exec)\s*\([^\n]{0,120}\brequest\.(args|form|values|GET|POST|get_json|json)\b/,
  },
  {
    name: 'Node.js request parameter passed to a shell or eval',
    pattern: /\b(exec|execSync|spawn|spawnSync|eval)\s*\([^\n]{0,120}\breq\.(query|body|params|headers)\b/,
  },
];

export const obfuscatedPhp =
  /\b(eval|assert)\s*\(\s*(base64_decode|gzinflate|gzuncompress|gzdecode|str_rot13|strrev|hex2bin)\s*\(/i;

/** JSP: both must be in one file (the parameter and the execution are usually lines apart). */
export const jspExecution =
  /\bRuntime\s*\.\s*getRuntime\s*\(\s*\)\s*\.\s*exec\s*\(|\bnew\s+ProcessBuilder\s*\(/;
export const jspRequestInput = /\brequest\s*\.\s*(getParameter|getHeader|getInputStream|getReader)\s*\(/;
/** ASP.NET: a process started from a page that reads the request. */
export const aspxExecution = /\bProcess\s*\.\s*Start\s*\(|\bnew\s+(System\.Diagnostics\.)?ProcessStartInfo\b/;
export const aspxRequestInput = /\bRequest\s*(\.\s*(Form|QueryString|Params|Item|Headers)|\s*\[)/;

const credentialPaths =
  'meta-data/iam/security-credentials|/latest/api/token|/computeMetadata/v1/instance/service-accounts|/metadata/identity/oauth2/token|169\\.254\\.170\\.2/v2/credentials|AWS_CONTAINER_CREDENTIALS_(RELATIVE|FULL)_URI|meta-data/ram/security-credentials';
const metadataEndpoints =
  '169\\.254\\.169\\.254|metadata\\.google\\.internal|\\bmetadata\\.goog\\b|169\\.254\\.170\\.2\\b|fd00:ec2::254|100\\.100\\.100\\.200|/latest/meta-data|/computeMetadata/v1|/metadata/instance';

/** Credentials asked of a cloud instance metadata service (AWS, ECS, GCP, Azure, Alibaba). */
export const metadataCredentials = new RegExp(credentialPaths);
/** A metadata endpoint reached without a credential path: reconnaissance. */
export const metadataAccess = new RegExp(`^(?![^\\n]*(${credentialPaths}))[^\\n]*(${metadataEndpoints})`);
export const metadataAddresses = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200']);

export const serviceAccountTokenRead =
  /(\/var)?\/run\/secrets\/kubernetes\.io\/serviceaccount(\/token)?|serviceaccount\/token/;
export const apiServerUse =
  /\$\{?KUBERNETES_SERVICE_HOST|\$\{?KUBERNETES_PORT|\bkubernetes\.default(\.svc)?\b|\/api\/v1\/|\/apis\/[a-z]|:6443\b|\bkubectl\b|Authorization:\s*Bearer/i;
/** kubectl in a pod talks to the API server with the pod's own token by default. */
export const kubectlCommand =
  /\bkubectl\b[^\n|;]{0,300}\s(get|describe|auth|exec|create|apply|run|cp|logs|port-forward|proxy|delete|patch|edit|api-resources|debug|attach)\b/;

export const offensiveTools = [
  'kubectl',
  'peirates',
  'kubeletctl',
  'crictl',
  'ctr',
  'nerdctl',
  'docker',
  'podman',
  'etcdctl',
  'nmap',
  'masscan',
  'zmap',
  'rustscan',
  'naabu',
  'chisel',
  'frpc',
  'frps',
  'ngrok',
  'gost',
  'gs-netcat',
  'socat',
  'ncat',
  'linpeas',
  'pspy',
  'pspy64',
  'pspy32',
  'deepce',
  'cdk',
  'amicontained',
  'kube-hunter',
  'botb',
  'kdigger',
  'mimipenguin',
  'traitor',
];
/** A tool's name, optionally with a platform, version or script suffix (`chisel_1.9.1_linux_amd64`). */
export const offensiveToolName = new RegExp(
  `^(${offensiveTools.map((name) => name.replace(/[-.]/g, '\\$&')).join('|')})([-_.](linux|amd64|arm64|x86_64|x64|386|static|sh|py|bin|v?\\d[\\w.]*))*$`,
  'i',
);
/** The same tools run from a shell history (kubectl has its own rule). */
export const offensiveToolCommand = new RegExp(
  `(^|[\\s;|&/])(${offensiveTools
    .filter((name) => name !== 'kubectl')
    .map((name) => name.replace(/[-.]/g, '\\$&'))
    .join('|')})(\\.sh|\\.py)?(\\s|$)`,
);

/** Kernel thread names: a user process or file named like one is hiding. */
export const kernelThreadName =
  /^\.?\[?(kworker|ksoftirqd|kthreadd|kswapd\d*|migration|rcu_(sched|bh|preempt|gp|par_gp)|watchdog|watchdogd|kauditd|khugepaged|kblockd|kcompactd\d*|kdevtmpfs|jbd2|khungtaskd|oom_reaper|writeback|kintegrityd|ksmd|cpuhp|idle_inject|netns|kthrotld|irq)([/:\]\-0-9].*)?$/;

/** Where a process inside a container can write: an intruder's tools land here. */
export const writableDirectory = /^\/(tmp|var\/tmp|dev\/shm)(\/|$)/;
export const droppedToolPlace =
  /^\/(tmp|var\/tmp|dev\/shm|run\/user|home|root|var\/www|usr\/share\/nginx\/html|srv)(\/|$)|\/uploads?\//;
/** Hidden directories that are normal in /tmp. */
export const usualHiddenTmpEntries = new Set([
  '.X11-unix',
  '.ICE-unix',
  '.font-unix',
  '.XIM-unix',
  '.Test-unix',
]);
export const serverScriptExtension = /\.(php\d?|phtml|phar|inc|jspx?|jspf|aspx?|ashx|asmx|ascx|cfm|cgi|pl)$/i;
/** Extensions that never name an executable: an ELF behind one is disguised. */
export const dataExtension =
  /\.(jpe?g|png|gif|bmp|ico|svg|webp|txt|log|css|html?|js|json|xml|pdf|php\d?|jsp|aspx?|ya?ml|conf|ini|csv)$/i;

export const unusualPorts = new Set([
  1337, 3333, 4444, 5555, 6666, 6667, 7777, 8888, 9999, 14444, 31337, 45700,
]);
