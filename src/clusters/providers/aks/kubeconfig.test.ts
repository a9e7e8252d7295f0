import type { TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { AppError } from '../../../errors.js';
import { aksKubeConfig, aksServerAppId, entraServerApp } from './kubeconfig.js';

function kubeconfig(user: object): Uint8Array {
  return Buffer.from(
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'c',
          cluster: { server: 'https://c.hcp.westeurope.azmk8s.io:443', 'certificate-authority-data': 'Q0E=' },
        },
      ],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'c',
      users: [{ name: 'u', user }],
    }),
  );
}

const kubelogin = (args: string[]) => ({
  exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'kubelogin', args },
});

describe('AKS kubeconfig', () => {
  it('finds the Entra ID server app of a kubelogin user, a legacy azure auth-provider user, and none for local accounts', () => {
    const user = (fields: object) => ({ name: 'u', ...fields });
    expect(entraServerApp(user(kubelogin(['get-token', '--server-id', 'custom-app'])))).toBe('custom-app');
    expect(entraServerApp(user(kubelogin(['get-token'])))).toBe(aksServerAppId);
    expect(
      entraServerApp(user({ authProvider: { name: 'azure', config: { 'apiserver-id': 'legacy-app' } } })),
    ).toBe('legacy-app');
    expect(entraServerApp(user({ certData: 'Y2VydA==', token: 't' }))).toBeUndefined();
  });

  it('asks the credential again for a token when the last one is about to expire', async () => {
    let minted = 0;
    const credential: TokenCredential = {
      getToken: async () => ({ token: `t${++minted}`, expiresOnTimestamp: Date.now() + 30_000 }),
    };
    const config = aksKubeConfig({
      name: 'aks/s/rg/c',
      kubeconfig: kubeconfig(kubelogin(['get-token'])),
      credential: async () => credential,
    });
    const headers = async () => {
      const options: { headers?: Record<string, string> } = {};
      await config.applyToHTTPSOptions(options);
      return options.headers?.Authorization;
    };
    // 30 s left is inside the renewal margin, so each request gets a fresh token.
    expect([await headers(), await headers()]).toEqual(['Bearer t1', 'Bearer t2']);
    expect(config.getCurrentCluster()).toMatchObject({
      server: 'https://c.hcp.westeurope.azmk8s.io:443',
      caData: 'Q0E=',
    });
  });

  it('says when AKS returned a kubeconfig that cannot be read', () => {
    const credential = async () => ({}) as TokenCredential;
    expect(() => aksKubeConfig({ name: 'x', kubeconfig: Buffer.from('{not yaml'), credential })).toThrow(
      AppError,
    );
  });
});
