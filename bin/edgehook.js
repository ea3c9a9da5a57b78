#!/usr/bin/env node
// Node 24 runs the TypeScript sources directly (type stripping): no build step. An older Node
// cannot even load them (ERR_UNKNOWN_FILE_EXTENSION ".ts"), so this file — plain JavaScript any
// Node can parse — checks the version first and says what to do instead.
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.versions.node, process.execPath);
if (problem !== null) {
  process.stderr.write(`edgehook: ${problem}\n`);
  process.exit(1);
}
await import('../src/cli/main.ts');
