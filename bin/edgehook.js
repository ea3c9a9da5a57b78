#!/usr/bin/env node
// Node 24 runs the TypeScript sources directly (type stripping): no build step. An older Node
// cannot even load them (ERR_UNKNOWN_FILE_EXTENSION ".ts"), so this file — plain JavaScript any
// Node can parse — checks the version first and says what to do instead.
//
// The hook author's commands (`edgehook hook ...`) and `--version` skip src/cli/main.ts: its
// imports (the config schema, the cluster, the demo) cost ~0.3 s of CPU before anything runs,
// and `hook new` / `hook ... --help` should answer in about the time Node takes to start.
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.versions.node, process.execPath);
if (problem !== null) {
  process.stderr.write(`edgehook: ${problem}\n`);
  process.exit(1);
}
const [command] = process.argv.slice(2);
if (command === '--version') {
  const { readFileSync } = await import('node:fs');
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`edgehook ${version}\n`);
} else if (command === 'hook') {
  const { runHookCommand } = await import('../src/cli/hook-command.ts');
  process.exitCode = await runHookCommand(process.argv.slice(3));
} else {
  await import('../src/cli/main.ts');
}
