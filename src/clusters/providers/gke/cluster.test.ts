import { describe, expect, it } from 'vitest';
import { authModeOf, endpointsOf, locate, serverOf } from './cluster.js';

// Shapes of older clusters, as the v1 API returns them without controlPlaneEndpointsConfig.
describe('GKE cluster endpoints', () => {
  it('takes a cluster with no private config as public on its endpoint', () => {
    const cluster = { name: 'old', endpoint: '35.1.2.3' };
    expect(endpointsOf(cluster)).toMatchObject({ public: '35.1.2.3' });
    expect(endpointsOf(cluster).private).toBeUndefined();
    expect(serverOf(cluster)).toBe('https://35.1.2.3');
  });

  it('reads a private-endpoint cluster from privateClusterConfig alone', () => {
    const cluster = {
      name: 'locked',
      endpoint: '',
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: true,
        privateEndpoint: '172.16.0.2',
        publicEndpoint: '35.9.9.9',
      },
    };
    expect(endpointsOf(cluster)).toMatchObject({ private: '172.16.0.2' });
    expect(endpointsOf(cluster).public).toBeUndefined();
    // The endpoint field is empty: the private address is all there is.
    expect(serverOf(cluster)).toBe('https://172.16.0.2');
  });

  it('reports no IP endpoint when IP access is disabled and only the DNS endpoint remains', () => {
    const cluster = {
      controlPlaneEndpointsConfig: {
        ipEndpointsConfig: { enabled: false, privateEndpoint: '10.0.0.2' },
        dnsEndpointConfig: { endpoint: 'gke-abc-1.us-central1.gke.goog', allowExternalTraffic: true },
      },
    };
    expect(endpointsOf(cluster)).toEqual({
      dns: 'gke-abc-1.us-central1.gke.goog',
      dnsAllowsExternalTraffic: true,
      authorizedNetworks: false,
    });
  });

  it('says iam alone for a cluster without legacy authorization paths', () => {
    expect(authModeOf({ legacyAbac: { enabled: false }, masterAuth: { clientCertificate: '' } })).toBe('iam');
    expect(authModeOf({ masterAuth: { clientCertificateConfig: { issueClientCertificate: true } } })).toBe(
      'iam+client-certificate',
    );
  });

  it('refuses a ref that is not gke/<project>/<location>/<name>', () => {
    const ref = { name: 'eks/1/eu-west-1/prod', provider: 'eks', server: '', current: false };
    expect(() => locate(ref)).toThrow(/not a GKE cluster/);
  });
});
