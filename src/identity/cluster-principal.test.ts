import { describe, expect, it } from 'vitest';
import { clusterPrincipal } from './cluster-principal.js';

describe('the person behind the CLI', () => {
  it("is never taken from a cloud cluster's client, which carries Gatehouse's own identity", async () => {
    const clusters = {
      client: async () => {
        throw new Error('a cloud cluster must not be connected to to learn who the person is');
      },
    };
    await expect(clusterPrincipal(clusters, 'eks/123456789012/eu-west-1/prod')).rejects.toMatchObject({
      code: 'input.invalid',
      message: expect.stringContaining("reached with Gatehouse's own credentials"),
    });
  });
});
