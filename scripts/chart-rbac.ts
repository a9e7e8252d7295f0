// Writes the Helm chart's RBAC rules from the definitions `gatehouse setup rbac` uses.
import { writeFileSync } from 'node:fs';
import { chartRbacPath, chartRbacText } from '../src/cli/commands/chart-rbac.js';

writeFileSync(chartRbacPath, chartRbacText());
process.stdout.write(`wrote ${chartRbacPath}\n`);
