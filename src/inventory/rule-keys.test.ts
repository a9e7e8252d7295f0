import { describe, expect, it } from 'vitest';
import { resourceKeys, ruleKeysOf } from './rule-keys.js';

const pairs = (rule: Parameters<typeof ruleKeysOf>[0]) =>
  ruleKeysOf(rule)
    .map((pair) => `${pair.verb} ${pair.resource}`)
    .sort();

describe('the (verb, resource) keys of a rule', () => {
  it('pairs every verb with every resource as written, and with a slash for URLs', () => {
    expect(
      pairs({ verbs: ['get', 'list', 'get'], apiGroups: [''], resources: ['pods', 'pods/exec'] }),
    ).toEqual(['get pods', 'get pods/exec', 'list pods', 'list pods/exec']);
    expect(pairs({ verbs: ['get'], nonResourceURLs: ['/metrics', '/healthz/*'] })).toEqual(['get /']);
    expect(pairs({ verbs: [], apiGroups: [''], resources: ['pods'] })).toEqual([]);
  });

  it('stores a hostile rule of a thousand verbs and a thousand resources as a few star keys', () => {
    const many = (word: string) => Array.from({ length: 1000 }, (_, n) => `${word}-${n}`);
    expect(
      pairs({ verbs: many('verb'), apiGroups: ['*'], resources: many('thing'), nonResourceURLs: ['/x'] }),
    ).toEqual(['* *', '* /']);
    const verbs = pairs({ verbs: many('verb'), apiGroups: ['*'], resources: ['pods', 'secrets'] });
    expect(verbs).toEqual(['* pods', '* secrets']);
    expect(pairs({ verbs: ['get'], apiGroups: ['*'], resources: many('thing') })).toEqual(['get *']);
  });

  it('asks for the resource as written, a star, and a star before the subresource', () => {
    expect(resourceKeys('pods')).toEqual(['pods', '*']);
    expect(resourceKeys('deployments', 'scale')).toEqual(['deployments/scale', '*', '*/scale']);
  });
});
