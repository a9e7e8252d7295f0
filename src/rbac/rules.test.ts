import { describe, expect, it } from 'vitest';
import { nonResourceURLMatches, resourceMatches, ruleAllowsResource } from './rules.js';

describe('RBAC rule matching', () => {
  const rule = (resources: string[]) => ({ verbs: ['get'], apiGroups: [''], resources });

  it('matches resource/subresource exactly and * as every resource', () => {
    expect(resourceMatches(rule(['pods/exec']), 'pods', 'exec')).toBe(true);
    expect(resourceMatches(rule(['pods']), 'pods', 'exec')).toBe(false);
    expect(resourceMatches(rule(['pods/exec']), 'pods', '')).toBe(false);
    expect(resourceMatches(rule(['*']), 'pods', 'exec')).toBe(true);
  });

  it("matches */sub against any resource's subresource, but */* is not a wildcard", () => {
    expect(resourceMatches(rule(['*/scale']), 'deployments', 'scale')).toBe(true);
    expect(resourceMatches(rule(['*/scale']), 'deployments', '')).toBe(false);
    expect(resourceMatches(rule(['*/*']), 'pods', 'exec')).toBe(false);
    expect(resourceMatches(rule(['*/*']), '*', '*')).toBe(true);
  });

  it('treats the core group as "" and * as every group', () => {
    const core = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
    expect(ruleAllowsResource(core, { verb: 'get', resource: 'pods' })).toBe(true);
    expect(ruleAllowsResource(core, { verb: 'get', group: 'apps', resource: 'pods' })).toBe(false);
    expect(
      ruleAllowsResource({ ...core, apiGroups: ['*'] }, { verb: 'get', group: 'apps', resource: 'pods' }),
    ).toBe(true);
    expect(ruleAllowsResource({ ...core, apiGroups: [] }, { verb: 'get', resource: 'pods' })).toBe(false);
  });

  it('limits by resourceNames, which an unnamed request (create, deletecollection, list) never matches', () => {
    const named = { verbs: ['*'], apiGroups: [''], resources: ['secrets'], resourceNames: ['db'] };
    expect(ruleAllowsResource(named, { verb: 'get', resource: 'secrets', name: 'db' })).toBe(true);
    expect(ruleAllowsResource(named, { verb: 'get', resource: 'secrets', name: 'other' })).toBe(false);
    expect(ruleAllowsResource(named, { verb: 'create', resource: 'secrets' })).toBe(false);
    expect(ruleAllowsResource(named, { verb: 'deletecollection', resource: 'secrets' })).toBe(false);
    expect(ruleAllowsResource(named, { verb: 'list', resource: 'secrets' })).toBe(false);
  });

  it('matches verbs exactly or by *', () => {
    const wild = { verbs: ['*'], apiGroups: [''], resources: ['pods'] };
    expect(ruleAllowsResource(wild, { verb: 'escalate', resource: 'pods' })).toBe(true);
    expect(ruleAllowsResource({ ...wild, verbs: ['list'] }, { verb: 'get', resource: 'pods' })).toBe(false);
  });

  it('matches nonResourceURLs exactly, by * and by a trailing * prefix', () => {
    const urls = (nonResourceURLs: string[]) => ({ verbs: ['get'], nonResourceURLs });
    expect(nonResourceURLMatches(urls(['/healthz']), '/healthz')).toBe(true);
    expect(nonResourceURLMatches(urls(['/healthz']), '/healthz/etcd')).toBe(false);
    expect(nonResourceURLMatches(urls(['/healthz/*']), '/healthz/etcd')).toBe(true);
    expect(nonResourceURLMatches(urls(['/healthz*']), '/healthzzz')).toBe(true);
    expect(nonResourceURLMatches(urls(['*']), '/anything')).toBe(true);
    expect(nonResourceURLMatches(urls(['/api/*/x']), '/api/v1/x')).toBe(false);
  });

  it('strips every trailing * of a nonResourceURL as the authorizer does (/api** matches /api/v1)', () => {
    const urls = (nonResourceURLs: string[]) => ({ verbs: ['get'], nonResourceURLs });
    expect(nonResourceURLMatches(urls(['/api**']), '/api/v1')).toBe(true);
    expect(nonResourceURLMatches(urls(['/api**']), '/api')).toBe(true);
    expect(nonResourceURLMatches(urls(['/healthz/***']), '/healthz/etcd')).toBe(true);
    expect(nonResourceURLMatches(urls(['/healthz/***']), '/healthz')).toBe(false);
    expect(nonResourceURLMatches(urls(['**']), '/metrics')).toBe(true);
    expect(nonResourceURLMatches(urls(['/a*b*']), '/a*bc')).toBe(true);
    expect(nonResourceURLMatches(urls(['/a*b*']), '/axbc')).toBe(false);
  });
});
