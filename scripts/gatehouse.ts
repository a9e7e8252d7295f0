// The CLI run from source (tests and development): same as bin/gatehouse.js without a build.
import { main } from '../src/cli/index.js';

process.exitCode = await main(process.argv.slice(2));
