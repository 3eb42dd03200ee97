#!/usr/bin/env node
// `npx corrwatch`: the compiled CLI (built by `npm ci`/`npm install` through the package's `prepare` script).
import '../dist/src/cli-run.js';
