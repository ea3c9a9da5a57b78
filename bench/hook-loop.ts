/**
 * The hook author's loop, timed (issue #12), through the real CLI (bin/edgehook.js):
 *   - `hook new` and `--version`: wall and CPU time per call (median of --runs), beside bare `node -e 0`;
 *   - scaffold → first green `hook test`, for a TS and an AS hook (a fresh name each run, so the
 *     hook build itself is never a cache hit; the engine's prepared modules may be);
 *   - save-to-served in `hook dev`: from writing the file to the first response carrying the change.
 *
 *   node bench/hook-loop.ts [--runs 3] [--saves 3] [--only startup,green,dev]
 *
 * Timings on a shared machine are noisy: compare the figures of one run with each other.
 * All traffic stays on 127.0.0.1.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { send } from '../test/support/edgehook.ts';
import { startHookDev } from '../test/support/hook-dev-process.ts';
import { startOrigin } from '../test/support/origin.ts';

const BIN = fileURLToPath(new URL('../bin/edgehook.js', import.meta.url));
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, saves: { type: 'string', default: '3' }, only: { type: 'string' } } });
const runs = Number(values.runs);
const only = values.only?.split(',') ?? ['startup', 'green', 'dev'];
const saves = Number(values.saves);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** CPU time (user + sys) of this process's waited-for children so far, in ms (/proc/self/stat cutime + cstime). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 (state)
  const ticksPerSecond = 100; // USER_HZ on Linux
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
}

/** Wall and CPU time of one command run to completion, in ms. */
function timed(args: string[], cwd: string): { wall: number; cpu: number } {
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
  return { wall: performance.now() - started, cpu: childrenCpuMs() - cpuBefore };
}

async function startupFigures(dir: string): Promise<void> {
  const rows: Array<[string, string[]]> = [['node -e 0', ['-e', '0']], ['edgehook --version', [BIN, '--version']], ['edgehook hook --help', [BIN, 'hook', '--help']]];
  for (const [label, args] of rows) {
    const samples = Array.from({ length: runs }, () => timed(args, dir));
    console.log(`${label.padEnd(28)} wall ${median(samples.map((s) => s.wall)).toFixed(0).padStart(5)} ms   cpu ${median(samples.map((s) => s.cpu)).toFixed(0).padStart(4)} ms`);
  }
  const news = Array.from({ length: runs }, (_, i) => timed([BIN, 'hook', 'new', `startup-${i}`], dir));
  console.log(`${'edgehook hook new NAME'.padEnd(28)} wall ${median(news.map((s) => s.wall)).toFixed(0).padStart(5)} ms   cpu ${median(news.map((s) => s.cpu)).toFixed(0).padStart(4)} ms`);
}

async function firstGreen(dir: string, lang: 'ts' | 'as'): Promise<number> {
  const name = `green-${lang}-${process.pid}-${Date.now()}`;
  const started = performance.now();
  await promisify(execFile)(process.execPath, [BIN, 'hook', 'new', name, '--lang', lang], { cwd: dir });
  await promisify(execFile)(process.execPath, [BIN, 'hook', 'test'], { cwd: join(dir, name) });
  return performance.now() - started;
}

async function saveToServed(dir: string, lang: 'ts' | 'as', originUrl: string): Promise<number[]> {
  const name = `dev-${lang}-${process.pid}`;
  await promisify(execFile)(process.execPath, [BIN, 'hook', 'new', name, '--lang', lang], { cwd: dir });
  const file = lang === 'ts' ? 'hook.ts' : 'hook.as';
  const entry = join(dir, name, file);
  const source = await readFile(entry, 'utf8');
  const dev = await startHookDev(file, originUrl, join(dir, name));
  const figures: number[] = [];
  try {
    for (let i = 1; i <= saves; i++) {
      const marker = `save-${i}-${Date.now()}`;
      const started = performance.now();
      await writeFile(entry, source.replace(`from ${name}`, marker));
      for (;;) {
        if ((await send(`${dev.url}/x`)).body === marker) break;
        if (performance.now() - started > 180_000) throw new Error(`never served; hook dev said:\n${dev.lines.filter((l) => !l.includes("request seen")).slice(-10).join('\n')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      figures.push(performance.now() - started);
    }
  } finally {
    await dev.stop();
  }
  return figures;
}

const dir = await mkdtemp(join(tmpdir(), 'edgehook-loop-'));
const origin = await startOrigin((req, res) => { res.end(String(req.headers['x-hello'])); });
try {
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine (figures are wall-clock)\n`);
  if (only.includes('startup')) await startupFigures(dir);
  for (const lang of only.includes('green') ? ['as', 'ts'] as const : []) {
    const green = await firstGreen(dir, lang);
    console.log(`scaffold → first green hook test (${lang})   ${(green / 1000).toFixed(1)} s`);
  }
  for (const lang of only.includes('dev') ? ['as', 'ts'] as const : []) {
    const figures = await saveToServed(dir, lang, origin.url);
    console.log(`save → served in hook dev (${lang})        ${figures.map((f) => `${(f / 1000).toFixed(2)} s`).join(', ')} (median ${(median(figures) / 1000).toFixed(2)} s)`);
  }
} finally {
  await origin.close();
  await rm(dir, { recursive: true, force: true });
}
