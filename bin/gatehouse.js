#!/usr/bin/env node
// The installed entry point: runs the bundled CLI (dist/gatehouse.mjs, built by `npm ci` or `npm run build`).
import module from 'node:module';

// Reuse V8's compiled code between runs: most of a short command's time would be compiling.
module.enableCompileCache?.();
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
const { main } = await import('../dist/gatehouse.mjs');
process.exitCode = await main(process.argv.slice(2));
