// Builds the installed CLI as one ESM file, dist/gatehouse.mjs (run by `npm ci` through prepare).
// Each command's code sits behind a dynamic import in the bundle, so it is evaluated only when that
// command runs. Native modules and the cloud SDKs (loaded on first use) stay in node_modules.
import { build } from 'esbuild';

const external = [
  'better-sqlite3',
  'pg-native',
  'bufferutil',
  'utf-8-validate',
  '@aws-sdk/*',
  '@smithy/*',
  '@azure/*',
  '@google-cloud/*',
  'google-auth-library',
];

await build({
  entryPoints: ['src/cli/main.ts'],
  entryNames: 'gatehouse',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  outdir: 'dist',
  // One chunk per lazily loaded part: an ES module must import its packages at its top, so a
  // single file would load every command's packages before any command runs.
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22.19',
  external,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // Bundled CommonJS packages call require(); give the ESM file one.
  banner: {
    js: "import { createRequire as gatehouseRequire } from 'node:module'; const require = gatehouseRequire(import.meta.url);",
  },
});
