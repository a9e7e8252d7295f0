import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rendered } from '../support/helm.js';
import { defaultPath, type ExtraMount, type ProcessSpec } from './runc.js';

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly secretKeyRef?: { readonly name: string; readonly key: string };
    readonly fieldRef?: { readonly fieldPath: string };
  };
}

interface PodContainer {
  readonly args: string[];
  readonly env?: EnvVar[];
  readonly securityContext: { readonly runAsUser: number; readonly runAsGroup: number };
  readonly volumeMounts?: { readonly name: string; readonly mountPath: string }[];
}

interface PodVolume {
  readonly name: string;
  readonly emptyDir?: object;
  readonly configMap?: { readonly name: string };
  readonly secret?: { readonly secretName: string; readonly items?: { key: string; path: string }[] };
}

/** What the kubelet would supply: Secret data by name, and the pod's name for fieldRefs. */
export interface PodWorld {
  readonly podName: string;
  readonly secrets: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Replaces the container's args (e.g. another listen port on a shared network). */
  readonly args?: (args: readonly string[]) => string[];
  /**
   * What the kubelet mounts at /var/run/secrets/kubernetes.io/serviceaccount for a pod that
   * automounts its ServiceAccount token, and the API server it names in KUBERNETES_SERVICE_*.
   */
  readonly serviceAccount?: ServiceAccountMount;
}

export interface ServiceAccountMount {
  readonly token: string;
  /** PEM of the API server's CA. */
  readonly caCert: string;
  readonly namespace: string;
  readonly apiServer: URL;
}

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The process a kubelet would start for the first container of a rendered Deployment: its args,
 * env (Secrets and fieldRefs resolved), user, and volumes (emptyDir as tmpfs, ConfigMaps and
 * Secrets as read-only files written under `dir`), on the host network.
 */
export function podProcess(
  objects: readonly Rendered[],
  deploymentName: string,
  world: PodWorld & { dir: string },
): ProcessSpec {
  const deployment = objects.find(
    (object) => object.kind === 'Deployment' && object.metadata.name === deploymentName,
  );
  const spec = (
    deployment as unknown as {
      spec: {
        template: {
          spec: {
            containers: PodContainer[];
            volumes: PodVolume[];
            automountServiceAccountToken?: boolean;
          };
        };
      };
    }
  )?.spec.template.spec;
  const container = spec?.containers[0];
  if (!spec || !container)
    throw new Error(`no Deployment ${deploymentName} with a container among the rendered objects`);
  const user = { uid: container.securityContext.runAsUser, gid: container.securityContext.runAsGroup };
  const env: Record<string, string> = { PATH: defaultPath, HOME: '/var/lib/gatehouse' };
  for (const variable of container.env ?? []) env[variable.name] = resolve(variable, world);
  const mounts: ExtraMount[] = (container.volumeMounts ?? []).map((mount) => {
    const volume = spec.volumes.find((candidate) => candidate.name === mount.name);
    if (!volume) throw new Error(`volumeMount ${mount.name} has no volume`);
    if (volume.emptyDir) return { kind: 'tmpfs', destination: mount.mountPath, owner: user };
    const files = volumeFiles(volume, objects, world);
    const source = join(world.dir, `volume-${world.podName}-${volume.name}`);
    mkdirSync(source, { recursive: true });
    for (const [name, content] of Object.entries(files))
      writeFileSync(join(source, name), content, { mode: 0o444 });
    return { kind: 'bind', destination: mount.mountPath, source };
  });
  if (world.serviceAccount && spec.automountServiceAccountToken !== false) {
    mounts.push(serviceAccountVolume(world.serviceAccount, world));
    env.KUBERNETES_SERVICE_HOST = world.serviceAccount.apiServer.hostname;
    env.KUBERNETES_SERVICE_PORT = world.serviceAccount.apiServer.port || '443';
  }
  return {
    user,
    args: ['gatehouse', ...(world.args ? world.args(container.args) : container.args)],
    env,
    cwd: '/var/lib/gatehouse',
    mounts,
    network: 'host',
  };
}

/** The token, CA and namespace files, readable by the pod's user as the kubelet's projection is. */
function serviceAccountVolume(account: ServiceAccountMount, world: PodWorld & { dir: string }): ExtraMount {
  const source = join(world.dir, `volume-${world.podName}-serviceaccount`);
  mkdirSync(source, { recursive: true });
  const files = { token: account.token, 'ca.crt': account.caCert, namespace: account.namespace };
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(source, name), content, { mode: 0o444 });
  return { kind: 'bind', destination: serviceAccountDir, source };
}

function resolve(variable: EnvVar, world: PodWorld): string {
  if (variable.value !== undefined) return variable.value;
  const secret = variable.valueFrom?.secretKeyRef;
  if (secret) {
    const value = world.secrets[secret.name]?.[secret.key];
    if (value === undefined)
      throw new Error(`env ${variable.name}: Secret ${secret.name} has no key ${secret.key}`);
    return value;
  }
  if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.name') return world.podName;
  // The pod runs in the host's network here, so its address is the host's loopback.
  if (variable.valueFrom?.fieldRef?.fieldPath === 'status.podIP') return '127.0.0.1';
  throw new Error(`env ${variable.name}: cannot resolve ${JSON.stringify(variable.valueFrom)}`);
}

function volumeFiles(
  volume: PodVolume,
  objects: readonly Rendered[],
  world: PodWorld,
): Record<string, string> {
  if (volume.configMap) {
    const configMap = objects.find(
      (object) => object.kind === 'ConfigMap' && object.metadata.name === volume.configMap?.name,
    );
    return ((configMap as unknown as { data?: Record<string, string> })?.data ?? {}) as Record<
      string,
      string
    >;
  }
  if (volume.secret) {
    const data = world.secrets[volume.secret.secretName];
    if (!data) throw new Error(`volume ${volume.name}: no Secret ${volume.secret.secretName}`);
    const items = volume.secret.items ?? Object.keys(data).map((key) => ({ key, path: key }));
    return Object.fromEntries(items.map((item) => [item.path, data[item.key] ?? '']));
  }
  throw new Error(`volume ${volume.name}: only emptyDir, configMap and secret are supported here`);
}
