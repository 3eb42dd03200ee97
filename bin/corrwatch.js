#!/usr/bin/env node
// Entry point for `npx corrwatch`: runs the compiled CLI (built by `npm ci` through the `prepare` script).
import { main } from '../dist/src/cli.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`corrwatch: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1; },
);
