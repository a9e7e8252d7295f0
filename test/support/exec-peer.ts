import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';

/**
 * A test peer for the Kubernetes API built from its documented shapes: the few REST calls an
 * acquisition makes (pod list and get, logs, SelfSubjectAccessReview, SelfSubjectReview; anything
 * else answers 404 as the API server does for a missing resource), and pods/exec over WebSocket
 * with the channel protocol of `k8s.io/apimachinery/pkg/util/remotecommand` (v4 and v5): each
 * binary message starts with its channel byte (1 stdout, 2 stderr, 3 error/status as a
 * metav1.Status), and the server closes the socket after the status. What a pod's exec streams
 * is up to the test, so a container's output can be as hostile as a compromised one's. Namespaces
 * are those of the pods; SelfSubjectAccessReviews allow everything the test did not deny.
 */
export interface PeerPod {
  readonly namespace: string;
  readonly name: string;
  readonly container: string;
  readonly labels: Readonly<Record<string, string>>;
  /** The stdout of an exec, given its command (e.g. the collector script). */
  readonly stdout: (command: readonly string[]) => Buffer;
  /** The container's image (default busybox). */
  readonly image?: string;
}

export interface PeerOptions {
  /** SelfSubjectAccessReviews answered "not allowed", as `verb resource[/subresource]`. */
  readonly denied?: readonly string[];
}

export interface ExecPeer {
  readonly url: string;
  /** Writes a kubeconfig that points at the peer and returns its path. */
  kubeconfig(dir: string): string;
  close(): Promise<void>;
}

const chunkBytes = 16 * 1024;

export async function startExecPeer(pods: readonly PeerPod[], options: PeerOptions = {}): Promise<ExecPeer> {
  const server = createServer((request, response) => answerRest(pods, options, request, response));
  const sockets = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) =>
      offered.has('v5.channel.k8s.io')
        ? 'v5.channel.k8s.io'
        : offered.has('v4.channel.k8s.io') && 'v4.channel.k8s.io',
  });
  server.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://peer');
    const pod = pods.find((candidate) => url.pathname === `${podPath(candidate)}/exec`);
    if (!pod) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      const output = pod.stdout(url.searchParams.getAll('command'));
      for (let offset = 0; offset < output.length; offset += chunkBytes)
        ws.send(Buffer.concat([Buffer.from([1]), output.subarray(offset, offset + chunkBytes)]));
      ws.send(
        Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' }))]),
      );
      ws.close(1000);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    kubeconfig(dir) {
      const path = join(dir, 'exec-peer.kubeconfig');
      writeFileSync(
        path,
        `apiVersion: v1\nkind: Config\ncurrent-context: peer\nclusters:\n- name: peer\n  cluster: {server: "${url}", insecure-skip-tls-verify: true}\nusers:\n- name: responder\n  user: {token: peer-token}\ncontexts:\n- name: peer\n  context: {cluster: peer, user: responder, namespace: default}\n`,
      );
      return path;
    },
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function podPath(pod: PeerPod): string {
  return `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`;
}

function podObject(pod: PeerPod) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod.name, namespace: pod.namespace, uid: `uid-${pod.name}`, labels: pod.labels },
    spec: {
      nodeName: 'node-0',
      containers: [{ name: pod.container, image: pod.image ?? 'docker.io/library/busybox:1.36.1' }],
    },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: pod.container,
          containerID: `containerd://${pod.name}`,
          imageID: `docker.io/library/busybox@sha256:${'0'.repeat(64)}`,
          state: { running: { startedAt: '2026-12-01T00:00:00Z' } },
        },
      ],
    },
  };
}

function matches(pod: PeerPod, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    return key !== undefined && pod.labels[key] === value;
  });
}

/** A SelfSubjectAccessReview's answer: allowed unless the test denied that verb on that resource. */
function review(body: string, denied: readonly string[]) {
  const asked = JSON.parse(body) as {
    spec?: { resourceAttributes?: { verb?: string; resource?: string; subresource?: string } };
  };
  const attributes = asked.spec?.resourceAttributes ?? {};
  const what = `${attributes.verb} ${attributes.resource}${attributes.subresource ? `/${attributes.subresource}` : ''}`;
  return { ...asked, status: { allowed: !denied.includes(what) } };
}

function answerRest(
  pods: readonly PeerPod[],
  options: PeerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const url = new URL(request.url ?? '/', 'http://peer');
  const json = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  let body = '';
  request.on('data', (chunk: Buffer) => {
    body += chunk.toString('utf8');
  });
  request.on('end', () => {
    const list = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
    const pod = pods.find((candidate) => url.pathname === podPath(candidate));
    const logOf = pods.find((candidate) => url.pathname === `${podPath(candidate)}/log`);
    if (url.pathname === '/api/v1/namespaces') {
      const names = [...new Set(pods.map((candidate) => candidate.namespace))];
      json(200, {
        apiVersion: 'v1',
        kind: 'NamespaceList',
        metadata: { resourceVersion: '1' },
        items: names.map((name) => ({ metadata: { name } })),
      });
    } else if (list) {
      const items = pods.filter(
        (candidate) =>
          candidate.namespace === list[1] && matches(candidate, url.searchParams.get('labelSelector')),
      );
      json(200, {
        apiVersion: 'v1',
        kind: 'PodList',
        metadata: { resourceVersion: '1' },
        items: items.map(podObject),
      });
    } else if (pod) {
      json(200, podObject(pod));
    } else if (logOf) {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(`2026-12-01T00:00:01Z ${logOf.container} started\n`);
    } else if (url.pathname === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      json(201, review(body, options.denied ?? []));
    } else if (url.pathname === '/apis/authentication.k8s.io/v1/selfsubjectreviews') {
      json(201, {
        ...JSON.parse(body),
        status: { userInfo: { username: 'responder', groups: ['system:authenticated'] } },
      });
    } else {
      json(404, {
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'NotFound',
        code: 404,
        message: `${url.pathname} not found`,
      });
    }
  });
}
