import { describe, expect, it } from 'vitest';
import { authFailure } from './auth.js';
import { deniedPermission, gkeError } from './errors.js';

const call = {
  doing: 'listing GKE clusters in project "acme-prod"',
  project: 'acme-prod',
  permission: 'container.clusters.list',
};

// Failures that do not come as recorded HTTP bodies: socket errors, credential library errors.
describe('GKE errors', () => {
  it('finds the permission in both message forms GKE uses', () => {
    expect(deniedPermission('Required "container.clusters.list" permission(s) for "projects/p".')).toBe(
      'container.clusters.list',
    );
    expect(deniedPermission("Permission 'container.clusters.get' denied on resource '//x'")).toBe(
      'container.clusters.get',
    );
  });

  it('calls a refused connection to the API unreachable and says to check the network', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    const error = gkeError(refused, call);
    expect(error.code).toBe('cluster.unreachable');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.fix).toContain('container.googleapis.com');
  });

  it('treats CONSUMER_INVALID as a project that does not exist or is hidden', () => {
    const hidden = Object.assign(new Error('Permission denied on resource project acme-prod.'), {
      code: 7,
      reason: 'CONSUMER_INVALID',
    });
    expect(gkeError(hidden, call).code).toBe('not-found');
  });

  it('says expired Application Default Credentials need a new login', () => {
    const error = authFailure(new Error('invalid_grant: reauth related error (invalid_rapt)'));
    expect(error.code).toBe('auth.unauthorized');
    expect(error.message).toContain('have expired');
    expect(error.fix).toContain('gcloud auth application-default login');
  });
});
