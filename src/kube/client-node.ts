import { createRequire } from 'node:module';

type ClientNode = typeof import('@kubernetes/client-node');

const requireModule = createRequire(import.meta.url);
let loaded: ClientNode | undefined;

/**
 * @kubernetes/client-node, loaded on first use. Loading it is most of what a command costs to
 * start, and commands that work offline (e.g. `rbac can-i -f DIR`, `--help`) never need it.
 * Node ≥ 22.12 loads the ES module synchronously through require, so callers stay synchronous.
 */
export function clientNode(): ClientNode {
  loaded ??= requireModule('@kubernetes/client-node') as ClientNode;
  return loaded;
}
