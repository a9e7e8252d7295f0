import { clusterDown } from './cluster.js';

// `npm run cluster:down`: stop the control plane and every container process.
try {
  await clusterDown();
  process.stdout.write('Test cluster stopped.\n');
} catch (error) {
  process.stderr.write(`cluster:down failed: ${String(error)}\n`);
  process.exit(1);
}
