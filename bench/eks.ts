/**
 * `npm run bench:eks`: Gatehouse's own cost on the EKS path, against moto's server (so AWS network
 * latency is not in the figures): discovery of many clusters across regions (ListClusters +
 * DescribeCluster per cluster, regions in parallel) and in-process token minting. Prints figures;
 * asserts nothing.
 */
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { EksProvider, eksToken } from '../src/clusters/providers/eks/index.js';
import { startMoto } from '../test/support/moto.js';

const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const perRegion = Number(process.env.BENCH_CLUSTERS_PER_REGION ?? 20);
const moto = await startMoto();
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;
try {
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  for (const region of regions) {
    const client = new EKSClient({ region, endpoint: moto.endpoint, credentials });
    for (let index = 0; index < perRegion; index++)
      await client.send(
        new CreateClusterCommand({
          name: `c${index}`,
          roleArn: 'arn:aws:iam::123456789012:role/eks',
          resourcesVpcConfig: { subnetIds: [] },
        }),
      );
  }
  const provider = new EksProvider({
    name: 'bench',
    regions,
    endpoint: moto.endpoint,
    account: { base: async () => credentials },
  });
  const discovery: number[] = [];
  let found = 0;
  for (let run = 0; run < 5; run++) {
    const start = performance.now();
    found = (await provider.listClusters()).clusters.length;
    discovery.push(performance.now() - start);
  }
  const minting: number[] = [];
  for (let run = 0; run < 1000; run++) {
    const start = performance.now();
    await eksToken({ cluster: 'prod', region: 'eu-west-1', credentials });
    minting.push(performance.now() - start);
  }
  process.stdout.write(
    [
      `EKS discovery of ${found} clusters in ${regions.length} regions (moto, regions in parallel): median ${percentile(discovery, 50).toFixed(0)} ms of 5 runs`,
      `EKS token minting (presigned STS URL, in process): p50 ${percentile(minting, 50).toFixed(3)} ms, p99 ${percentile(minting, 99).toFixed(3)} ms (n=1000)`,
      '',
    ].join('\n'),
  );
} finally {
  moto.stop();
}
