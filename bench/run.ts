/**
 * `npm run bench`: edgehook against a bare node:http server serving the same bytes from memory.
 *
 *   node bench/run.ts [--duration 5] [--warmup 1] [--connections 50] [--group core] [--scenarios hit-1k,post]
 *                     [--targets bare,edgehook,edgehook-cli,nginx,http-proxy-3,undici-proxy] [--generator auto|wrk|autocannon] [--no-pin]
 *                     [--compare-with DIR]   (another checkout of edgehook, run beside this one in the core group)
 *                     [--smoke] [--out FILE] [--help]
 *
 * `--smoke` proves the bench still runs, in well under a minute: every group, its first scenario
 * only (unless --scenarios says otherwise), 1 s per cell, no warmup, 4 connections. It exits
 * non-zero when a target that can run here fails to start, a measurement fails, or a cell served
 * nothing or answered with errors. Its figures mean nothing; CI runs it (test/bench/smoke.test.ts).
 *
 * Groups: core (edgehook vs bare node:http; bare + edgehook unless --targets says otherwise),
 * tracing (cache hits with tracing off, at sample ratio 0.01 and at 1, spans exported over
 * OTLP/HTTP to a no-op receiver in the bench origin), logs (no access log vs JSON and text lines
 * to a file), hooks, examples (each examples/ hook in both languages vs no hooks), image, and
 * workers (cache hits from
 * `--workers 1`, `2` and `auto`, unpinned; CPU per request summed over the primary and its
 * workers, with the primary's own share and the workers' split printed under the table).
 * `--group shield` (only when asked for; bench/shield-bench.ts, `--objects N`): two edges and a
 * shield in front of one origin — origin fetches per object and hit latency at edge vs shield.
 * `--group fleet` (never in the default run: it needs redis-server) measures purge propagation
 * across three nodes and a node's catch-up after 10 s offline (bench/fleet-bench.ts).
 *
 * Defaults: 50 connections, 1 s warmup + 5 s measured per scenario, wrk when installed (else
 * autocannon's CLI), server under test pinned to CPU 0 and load generator + origin to CPU 1.
 * The default run (core: 2 targets × 5 scenarios, tracing: 3 targets × 2 scenarios, 6 s each)
 * takes about two minutes. Results are also written
 * to .cache/bench-results.json. All traffic stays on 127.0.0.1.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { planCpus } from './lib/cpu.ts';
import { pickLoadGenerator } from './lib/load-generator.ts';
import { runGroup } from './lib/runner.ts';
import type { GroupResult, Scenario, ScenarioGroup } from './lib/scenario.ts';
import { formatGroup } from './lib/table.ts';
import { HOOK_VARIANTS, hookConfigPath, prepareHookConfigs } from './lib/hook-configs.ts';
import { benchUploadToken, EXAMPLE_VARIANTS, exampleConfigPath, prepareExampleConfigs, signedBenchPath } from './lib/example-configs.ts';
import { bareTarget, edgehookCliTarget, edgehookTarget, edgehookWorkersTarget, nginxTarget, plainProxyTarget } from './lib/targets.ts';

const CORE_SCENARIOS: readonly Scenario[] = [
  { id: 'hit-1k', title: 'hit 1 KB', request: { method: 'GET', path: '/hit/1k' }, expectOrigin: 'none' },
  { id: 'hit-100k', title: 'hit 100 KB', request: { method: 'GET', path: '/hit/100k' }, expectOrigin: 'none' },
  { id: 'miss-no-store', title: 'miss 1 KB (no-store)', request: { method: 'GET', path: '/miss/1k' }, expectOrigin: 'all' },
  {
    id: 'miss-unique', title: 'miss 1 KB (unique URL, stored)',
    request: { method: 'GET', path: '/hit/1k', uniquePath: true }, expectOrigin: 'all',
  },
  {
    id: 'post', title: 'POST 1 KB pass-through',
    request: { method: 'POST', path: '/post/1k', bodyBytes: 1024 }, expectOrigin: 'all',
  },
];

const ALL_TARGETS = [bareTarget, edgehookTarget(), edgehookCliTarget, nginxTarget, plainProxyTarget('http-proxy-3'), plainProxyTarget('undici')];

const TRACING_CONFIGS = join(import.meta.dirname, 'configs');
/** Tracing overhead: the same node with tracing off, sampled at 1 %, and recording every request. */
const TRACING_TARGETS = [
  edgehookTarget('tracing-off'),
  edgehookTarget('tracing-0.01', join(TRACING_CONFIGS, 'tracing-ratio-0.01.yaml'), { otlpToOrigin: true }),
  edgehookTarget('tracing-1', join(TRACING_CONFIGS, 'tracing-ratio-1.yaml'), { otlpToOrigin: true }),
];

/**
 * Images: cache hits of a 320 px WebP variant against hits of its untransformed 1 MP JPEG original,
 * and transforms per second (a unique query per request: origin fetch of the original + transform).
 */
const IMAGE_SCENARIOS: readonly Scenario[] = [
  { id: 'image-hit-original', title: 'hit 1 MP JPEG (untransformed)', request: { method: 'GET', path: '/image/photo-1mp.jpg' }, expectOrigin: 'none' },
  { id: 'image-hit-variant', title: 'hit 320 px WebP variant', request: { method: 'GET', path: '/image/photo-1mp.jpg?w=320&fmt=webp' }, expectOrigin: 'none' },
  {
    id: 'image-transform', title: 'transform 1 MP JPEG → 320 px WebP (unique URL)',
    request: { method: 'GET', path: '/image/photo-1mp.jpg?w=320&fmt=webp', uniquePath: true }, expectOrigin: 'all',
    // A few in flight keep the one core busy; 50 would only queue past the load generator's 2 s timeout.
    connections: 4,
  },
];
const IMAGE_TARGETS = [bareTarget, edgehookTarget('edgehook-images', join(import.meta.dirname, 'configs', 'image-transforms.yaml'))];

/** Hook overhead: the same route with no hook, a no-op hook and a header rewrite, per guest path. */
const HOOK_TARGETS = [edgehookTarget('no-hooks'), ...HOOK_VARIANTS.map((v) => edgehookTarget(v.id, hookConfigPath(v)))];

/**
 * The deployable examples (examples/), each in both languages, against the same node without
 * hooks: a cache hit on a signed URL from a CORS origin (signed-downloads and security-headers
 * take their full accepting path), a 1 KB POST with a bearer token (upload-auth's), and a hit on
 * a 4 KB Markdown document (markdown-to-html serves the page it stored; no hook runs on a hit).
 */
const EXAMPLE_TARGETS = [edgehookTarget('no-hooks'), ...EXAMPLE_VARIANTS.map((v) => edgehookTarget(v.id, exampleConfigPath(v)))];
const EXAMPLE_SCENARIOS: readonly Scenario[] = [
  {
    id: 'hit-1k-signed', title: 'hit 1 KB, signed URL, CORS origin',
    request: { method: 'GET', path: signedBenchPath('/hit/1k'), headers: { origin: 'https://app.example' } }, expectOrigin: 'none',
  },
  {
    id: 'post-1k-bearer', title: 'POST 1 KB with a bearer JWT',
    request: { method: 'POST', path: '/post/1k', bodyBytes: 1024, headers: { authorization: benchUploadToken() } }, expectOrigin: 'all',
  },
  { id: 'hit-md-4k', title: 'hit on a 4 KB Markdown document (markdown-to-html: its stored page)', request: { method: 'GET', path: '/md/4k' }, expectOrigin: 'none' },
];

/** Access-log overhead: the same node with no access log, JSON lines and text lines to a file. */
const LOG_TARGETS = [
  edgehookTarget('access-log-off'),
  edgehookTarget('access-log-json', join(TRACING_CONFIGS, 'access-log-json.yaml')),
  edgehookTarget('access-log-text', join(TRACING_CONFIGS, 'access-log-template.yaml')),
];

/** Scenario groups. Hook, tracing and transform overhead groups go here as edgehook variants. */
const GROUPS: readonly ScenarioGroup[] = [
  {
    id: 'core', title: 'core: edgehook vs bare node:http', baseline: 'bare', defaultTargets: ['bare', 'edgehook'],
    targets: ALL_TARGETS, scenarios: CORE_SCENARIOS,
  },
  {
    id: 'tracing', title: 'tracing: edgehook with tracing off vs on (OTLP/HTTP to a local no-op receiver)', baseline: 'tracing-off',
    targets: TRACING_TARGETS, scenarios: CORE_SCENARIOS.filter((s) => s.id === 'hit-1k' || s.id === 'miss-unique'),
  },
  {
    id: 'logs', title: 'logs: edgehook with no access log vs one line per request to a file', baseline: 'access-log-off',
    targets: LOG_TARGETS, scenarios: CORE_SCENARIOS.filter((s) => s.id === 'hit-1k' || s.id === 'miss-unique'),
  },
  {
    id: 'hooks', title: 'hooks: one hook on on-request (or on all three phases) vs none (fast AssemblyScript path and QuickJS)', baseline: 'no-hooks',
    targets: HOOK_TARGETS, scenarios: CORE_SCENARIOS.filter((s) => s.id === 'hit-1k' || s.id === 'post'),
  },
  {
    // bare serves the original for every query (it cannot transform): its row is the untransformed ceiling.
    id: 'image', title: 'image: variant hits vs original hits, and transforms (image.transform_query)', baseline: 'bare',
    targets: IMAGE_TARGETS, scenarios: IMAGE_SCENARIOS,
  },
  {
    id: 'examples', title: 'examples: each deployable example hook (AssemblyScript and QuickJS builds) vs no hooks', baseline: 'no-hooks',
    targets: EXAMPLE_TARGETS, scenarios: EXAMPLE_SCENARIOS,
  },
  {
    // Nothing pinned: more workers need more cores, so wrk and the origin share them with the node.
    id: 'workers', title: 'workers: cache hits from 1, 2 and auto worker processes (nothing pinned; wrk shares the cores)', baseline: 'workers-1',
    unpinned: true, targets: [edgehookWorkersTarget(1), edgehookWorkersTarget(2), edgehookWorkersTarget('auto')],
    scenarios: CORE_SCENARIOS.filter((s) => s.id === 'hit-1k'),
  },
];

const USAGE = `usage: node bench/run.ts [--group ${[...GROUPS.map((g) => g.id), 'shield', 'fleet'].join('|')}] [--scenarios a,b] [--targets a,b]
       [--duration 5] [--warmup 1] [--connections 50] [--generator auto|wrk|autocannon] [--no-pin]
       [--compare-with DIR] [--objects 1000] [--smoke] [--out FILE]
groups and their targets (* = run when --targets is not given):
${GROUPS.map((g) => `  ${g.id.padEnd(8)} ${g.targets.map((t) => (g.defaultTargets?.includes(t.id) ?? true ? `${t.id}*` : t.id)).join(', ')}\n           scenarios: ${g.scenarios.map((sc) => sc.id).join(', ')}`).join('\n')}
  shield   (only when asked for) two edges + one shield: origin fetches per object, hit latency (--objects N)
  fleet    (only when asked for; needs redis-server) purge propagation across three nodes, catch-up after 10 s offline
examples:
  npm run bench                                   # every group but shield, default targets
  npm run bench -- --group core --targets bare,edgehook,nginx,http-proxy-3
  npm run bench -- --group tracing --scenarios hit-1k
  npm run bench -- --smoke                        # does it still run? (seconds; figures meaningless)
`;

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      help: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      out: { type: 'string' },
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      connections: { type: 'string', default: '50' },
      group: { type: 'string' },
      scenarios: { type: 'string' },
      targets: { type: 'string' },
      generator: { type: 'string', default: 'auto' },
      'no-pin': { type: 'boolean', default: false },
      'compare-with': { type: 'string' },
      objects: { type: 'string', default: '1000' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const generator = values.generator;
  if (generator !== 'auto' && generator !== 'wrk' && generator !== 'autocannon') throw new Error('--generator: auto, wrk or autocannon');
  const smoke = values.smoke;
  return {
    smoke,
    durationSeconds: smoke ? 1 : positive(values.duration, 'duration'),
    warmupSeconds: smoke ? 0 : Number(values.warmup),
    connections: smoke ? 4 : positive(values.connections, 'connections'),
    group: values.group ?? null,
    scenarios: values.scenarios === undefined ? null : new Set(values.scenarios.split(',')),
    targets: values.targets === undefined ? null : new Set(values.targets.split(',')),
    generator,
    pin: !values['no-pin'],
    compareWith: values['compare-with'] ?? null,
    objects: positive(values.objects, 'objects'),
    out: values.out ?? join(import.meta.dirname, '..', '.cache', 'bench-results.json'),
  } as const;
}

function positive(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function selectGroups(
  group: string | null, targets: ReadonlySet<string> | null, scenarios: ReadonlySet<string> | null, compareWith: string | null, smoke: boolean,
): ScenarioGroup[] {
  const chosen = GROUPS.filter((g) => group === null || g.id === group);
  if (chosen.length === 0) throw new Error(`no group ${group}; groups: ${[...GROUPS.map((g) => g.id), 'shield', 'fleet'].join(', ')}`);
  // Another checkout beside this one, in the same run: before and after a change, side by side.
  const earlier = compareWith === null ? [] : [edgehookTarget('edgehook-compared', null, { checkout: compareWith })];
  return chosen.map((g) => ({
    ...g,
    // The baseline always runs: a ratio needs its denominator.
    targets: [...g.targets.filter((t) => t.id === g.baseline || (targets === null ? (g.defaultTargets?.includes(t.id) ?? true) : targets.has(t.id))), ...(g.id === 'core' ? earlier : [])],
    scenarios: g.scenarios.filter((s, i) => (scenarios === null ? !smoke || i === 0 : scenarios.has(s.id))),
  }));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // Not a load-generator group: it counts origin fetches and times single requests.
  if (options.group === 'shield') {
    warnIfBusy();
    const { formatShieldBench, runShieldBench } = await import('./shield-bench.ts');
    console.log(formatShieldBench(await runShieldBench(options.objects, (line) => void process.stderr.write(`  ${line}\n`))));
    return;
  }
  if (options.group === 'fleet') {
    // Latencies, not throughput: its own runner (redis-server and three nodes; bench/fleet-bench.ts).
    const { runFleetBench } = await import('./fleet-bench.ts');
    warnIfBusy();
    return runFleetBench({ purges: 200, gapMs: 10, offlineSeconds: 10, rate: 100 });
  }
  const generator = pickLoadGenerator(options.generator);
  const cpus = planCpus(options.pin);
  const progress = (line: string): void => void process.stderr.write(`  ${line}\n`);
  console.log(`load: ${generator.name} ${generator.version}, ${options.connections} connections, `
    + `${options.warmupSeconds} s warmup + ${options.durationSeconds} s measured per scenario; ${cpus.description}; `
    + `node ${process.version}`);
  warnIfBusy();
  const results: GroupResult[] = [];
  for (const group of selectGroups(options.group, options.targets, options.scenarios, options.compareWith, options.smoke)) {
    if (group.id === 'hooks') await prepareHookConfigs();
    if (group.id === 'examples') await prepareExampleConfigs();
    const { connections, durationSeconds, warmupSeconds } = options;
    const result = await runGroup(group, { connections, durationSeconds, warmupSeconds, generator, cpus, progress });
    results.push(result);
    console.log(`\n${formatGroup(result)}`);
  }
  console.log('\norigin = origin requests per client request while measuring (hits ~0%, misses 100%; "!" = not what the scenario expects).'
    + '\ncpu = CPU used by the server under test (100% = its one core; well below means the load side was the limit);'
    + '\nµs cpu/req = its CPU time per request (origin excluded) — steadier than req/s when the machine is shared.');
  await writeResults(options.out, results, { ...options, generator: `${generator.name} ${generator.version}`, cpus: cpus.description });
  if (options.smoke) exitOnSmokeFailures(results, options.group === null ? await smokeShield() : []);
}

/** The shield group in a smoke run: a few objects through two edges, each fetched from the origin once. */
async function smokeShield(): Promise<string[]> {
  const { runShieldBench } = await import('./shield-bench.ts');
  const objects = 20;
  const result = await runShieldBench(objects);
  console.log(`\nshield: ${objects} objects through two edges, ${result.originFetches} origin fetches`);
  return result.originFetches === objects ? [] : [`shield: ${result.originFetches} origin fetches for ${objects} objects`];
}

/** What a smoke run checks: everything that can run here ran, served requests, and answered them well. */
function exitOnSmokeFailures(results: readonly GroupResult[], more: readonly string[]): void {
  const problems: string[] = [...more];
  for (const { group, measurements, skipped } of results) {
    for (const [target, reason] of skipped) {
      // Missing binaries (nginx) are a fact of the machine; a target that failed to start is not.
      if (!reason.startsWith('failed to start') && !reason.startsWith('crashed')) continue;
      problems.push(`${group.id}/${target}: ${reason}`);
    }
    for (const m of measurements) {
      if (m.failure !== null) problems.push(`${group.id}/${m.scenario}/${m.target}: ${m.failure}`);
      else if (m.requests === 0 || m.errors > 0) problems.push(`${group.id}/${m.scenario}/${m.target}: ${m.requests} requests, ${m.errors} errors`);
    }
  }
  if (problems.length === 0) {
    console.log('\nsmoke: every group ran');
    return;
  }
  console.error(`\nsmoke: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
}

/** Other processes on a 2-core box skew every number; say so rather than print quiet lies. */
function warnIfBusy(): void {
  const [oneMinute = 0] = loadavg();
  const note = `1-min load average before start: ${oneMinute.toFixed(2)}`;
  console.log(oneMinute > 0.5 ? `${note} — WARNING: machine busy, numbers are unreliable` : note);
}

async function writeResults(path: string, results: readonly GroupResult[], settings: Record<string, unknown>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const data = results.map((r) => ({ group: r.group.id, measurements: r.measurements, skipped: Object.fromEntries(r.skipped) }));
  // Sets do not serialize; list them.
  const plain = Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, v instanceof Set ? [...v] : v]));
  await writeFile(path,
    JSON.stringify({ date: new Date().toISOString(), settings: plain, results: data }, null, 2) + '\n');
}

await main();
