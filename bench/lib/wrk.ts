/**
 * wrk driver. A generated Lua script sets the method and body, optionally makes every path unique,
 * and prints one JSON line from `done()` so we never scrape wrk's human-readable report.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinned } from './cpu.ts';
import type { LoadRequest, LoadResult, LoadRun } from './load-generator.ts';

const MARKER = 'EDGEHOOK_WRK_JSON ';

/** `runTag` makes unique paths unique across runs too (warmup, then measurement, then other targets). */
export function wrkScript(request: LoadRequest, runTag: string): string {
  const lines = [`wrk.method = "${request.method}"`];
  if (request.bodyBytes !== undefined) {
    lines.push(`wrk.body = string.rep("b", ${request.bodyBytes})`, 'wrk.headers["Content-Type"] = "application/octet-stream"');
  }
  for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`wrk.headers["${name}"] = "${value}"`);
  if (request.uniquePath === true) {
    // LuaJIT's math.random is unseeded, so the tag comes from us; the counter is per thread, and
    // wrk runs one thread here.
    lines.push(
      'local counter = 0',
      `local tag = "${runTag}"`,
      'request = function()',
      '  counter = counter + 1',
      // A path that has a query already (an image variant) gets the tag as one more parameter.
      `  return wrk.format(nil, "${request.path}${request.path.includes('?') ? '&' : '?'}u=" .. tag .. "-" .. counter)`,
      'end',
    );
  }
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    `  io.write(string.format('\\n${MARKER}{"requests":%d,"duration_us":%d,"errors":%d,"p50_us":%.0f,"p99_us":%.0f}\\n',`,
    '    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,',
    '    latency:percentile(50), latency:percentile(99)))',
    'end',
  );
  return lines.join('\n') + '\n';
}

export function parseWrkOutput(stdout: string): LoadResult {
  const line = stdout.split('\n').find((l) => l.startsWith(MARKER));
  if (line === undefined) throw new Error(`wrk printed no result line:\n${stdout}`);
  const raw = JSON.parse(line.slice(MARKER.length)) as { requests: number; duration_us: number; errors: number; p50_us: number; p99_us: number };
  return {
    requests: raw.requests,
    requestsPerSecond: raw.requests / (raw.duration_us / 1e6),
    p50Ms: raw.p50_us / 1000,
    p99Ms: raw.p99_us / 1000,
    errors: raw.errors,
  };
}

export async function runWrk(run: LoadRun): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'edgehook-wrk-'));
  try {
    const script = join(dir, 'scenario.lua');
    await writeFile(script, wrkScript(run.request, randomUUID()));
    // One thread: the generator gets one core; 50 connections are multiplexed on epoll.
    // wrk takes whole seconds only.
    const args = ['-t1', `-c${run.connections}`, `-d${Math.max(1, Math.round(run.durationSeconds))}s`, '--timeout', `${run.timeoutSeconds ?? 5}s`, '-s', script,
      new URL(run.request.path, run.url).href];
    const [command, argv] = pinned(run.cpus, 'wrk', args);
    return parseWrkOutput(await execFileText(command, argv, (run.durationSeconds + 30) * 1000));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function execFileText(command: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} failed: ${error.message}\n${stderr}`)) : resolve(stdout));
  });
}
