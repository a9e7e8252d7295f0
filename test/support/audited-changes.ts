// A second writer for the store tests: run as its own process, it makes access requests and
// approves them, and prints how many operations it did and which failed.
import { decide } from '../../src/access/decisions.js';
import { getFlow } from '../../src/access/flow-store.js';
import { createRequest } from '../../src/access/requests.js';
import { openStore } from '../../src/store/index.js';
import { person } from './principals.js';

const [options, countText] = process.argv.slice(2);
const store = await openStore(JSON.parse(options!) as { url?: string; dataDir: string });
const flow = await getFlow(store, 'one');
const errors: string[] = [];
let operations = 0;
const requester = person('rita');
const approver = person('ann');
for (let n = 0; n < Number(countText) / 2; n++) {
  try {
    operations++;
    const request = await createRequest(store, requester, {
      flow,
      cluster: 'c',
      role: { kind: 'ClusterRole', name: 'edit' },
      namespace: 'prod',
      durationSeconds: 600,
      reason: `change ${process.pid}/${n}`,
    });
    operations++;
    await decide(store, request.id, approver, 'approve');
  } catch (error) {
    errors.push(String((error as Error).message));
  }
}
await store.close();
process.stdout.write(`${JSON.stringify({ operations, errors })}\n`);
