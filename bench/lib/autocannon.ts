/**
 * autocannon driver, used only when wrk is missing. Runs autocannon's CLI as a child process (in
 * the bench process it would steal the CPU from the scheduler we are measuring) with `--json`.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pinned } from './cpu.ts';
import type { LoadResult, LoadRun } from './load-generator.ts';

interface AutocannonJson {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

function autocannonCli(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('autocannon')), 'autocannon.js');
}

export function runAutocannon(run: LoadRun): Promise<LoadResult> {
  const args = [autocannonCli(), '--json', '-c', String(run.connections), '-d', String(run.durationSeconds),
    '-m', run.request.method];
  if (run.request.bodyBytes !== undefined) {
    args.push('-b', 'b'.repeat(run.request.bodyBytes), '-H', 'content-type=application/octet-stream');
  }
  args.push(new URL(run.request.path, run.url).href);
  const [command, argv] = pinned(run.cpus, process.execPath, args);
  return new Promise((resolve, reject) => {
    execFile(command, argv, { timeout: (run.durationSeconds + 30) * 1000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`autocannon failed: ${error.message}\n${stderr}`));
      const raw = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as AutocannonJson;
      resolve({
        requests: raw.requests.total,
        requestsPerSecond: raw.requests.average,
        p50Ms: raw.latency.p50,
        p99Ms: raw.latency.p99,
        errors: raw.errors + raw.timeouts + raw.non2xx,
      });
    });
  });
}
