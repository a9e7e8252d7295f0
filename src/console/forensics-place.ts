import { AppError } from '../errors.js';

/**
 * Where a responder is on the way cluster → namespace → pod → container, read from the query
 * string: every step is a plain link, so the page works without script and a reload keeps it.
 */
export interface Place {
  readonly cluster?: string;
  readonly namespace?: string;
  readonly pod?: string;
  readonly container?: string;
  /** The switch: also list system namespaces and shell-less containers. */
  readonly showHidden: boolean;
  /** Run one shell probe in each container of the pod, to find images without a shell. */
  readonly probe: boolean;
}

// Kubernetes' own name rules: a namespace and a container are DNS labels, a pod a DNS subdomain.
const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function checked(value: string | undefined, what: string, pattern: RegExp): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (pattern.test(value)) return value;
  throw new AppError('input.invalid', `"${value.slice(0, 80)}" is not a ${what} name`, {
    fix: `Pick the ${what} from the list on the Forensics page`,
  });
}

/** The place from the query; a name Kubernetes could not have is refused before any cluster is asked. */
export function placeFrom(query: (name: string) => string | undefined): Place {
  const cluster = query('cluster')?.trim();
  if (cluster !== undefined && cluster.length > 253)
    throw new AppError('input.invalid', 'that cluster name is longer than any Gatehouse knows', {
      fix: 'Pick the cluster from the list on the Forensics page',
    });
  const namespace = cluster ? checked(query('namespace'), 'namespace', dnsLabel) : undefined;
  const pod = namespace ? checked(query('pod'), 'pod', dnsSubdomain) : undefined;
  const container = pod ? checked(query('container'), 'container', dnsLabel) : undefined;
  return {
    ...(cluster ? { cluster } : {}),
    ...(namespace ? { namespace } : {}),
    ...(pod ? { pod } : {}),
    ...(container ? { container } : {}),
    showHidden: query('hidden') === 'show',
    probe: query('probe') === 'shell',
  };
}

/** The link to a place; the switch and the probe are carried along unless the place says otherwise. */
export function forensicsHref(place: Partial<Place>): string {
  const query = new URLSearchParams();
  if (place.cluster) query.set('cluster', place.cluster);
  if (place.namespace) query.set('namespace', place.namespace);
  if (place.pod) query.set('pod', place.pod);
  if (place.container) query.set('container', place.container);
  if (place.showHidden) query.set('hidden', 'show');
  if (place.probe) query.set('probe', 'shell');
  const text = query.toString();
  return text ? `/forensics?${text}` : '/forensics';
}

// Kubernetes' label selector grammar: `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (v,…)`, `key notin (v,…)`.
const labelName = '[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const labelKey = `(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?/)?${labelName}`;
const labelValue = `(?:${labelName})?`;
const requirement = new RegExp(
  `^(?:!\\s*${labelKey}|${labelKey}(?:\\s*(?:==|!=|=)\\s*${labelValue}|\\s+(?:in|notin)\\s*\\(\\s*${labelValue}(?:\\s*,\\s*${labelValue})*\\s*\\))?)$`,
);

/** The requirements of a selector: split at commas outside parentheses. */
function requirementsOf(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let at = 0; at < selector.length; at++) {
    const char = selector[at];
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) {
      parts.push(selector.slice(start, at).trim());
      start = at + 1;
    }
  }
  return [...parts, selector.slice(start).trim()];
}

/**
 * A label selector as typed into the form, checked against Kubernetes' grammar before any cluster
 * is asked: at most 256 characters, and nothing that is not a selector (the apiserver's own
 * refusal would come later and word it less plainly).
 */
export function labelSelectorFrom(value: string | undefined): string {
  const selector = value?.trim();
  if (!selector || selector.length > 256)
    throw new AppError('input.invalid', 'give a pod, or a label selector of at most 256 characters', {
      fix: 'e.g. app=web',
    });
  if (!requirementsOf(selector).every((part) => requirement.test(part)))
    throw new AppError('input.invalid', `"${selector.slice(0, 80)}" is not a label selector`, {
      fix: 'Use key=value, key!=value, key in (a,b), key notin (a,b), key or !key, separated by commas, e.g. app=web,tier!=db',
    });
  return selector;
}
