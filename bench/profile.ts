/**
 * Where a request's CPU time goes: runs one scenario against edgehook (pinned to CPU 0, as in
 * `npm run bench`) under V8's sampling profiler, then attributes every sample to the layer that
 * spent it — edgehook's own code, undici, Node's HTTP server, streams, sockets, GC — and prints
 * the layers and the hottest functions in µs per request. `docs/performance.md` quotes this
 * output before and after each change.
 *
 *   node bench/profile.ts [--scenario hit-1k|hit-100k|miss-no-store|miss-unique|post] [--duration 5]
 *                         [--connections 50] [--top 25] [--config edgehook.yaml] [--target edgehook|bare] [--otlp]
 *
 * `--otlp` points OTEL_EXPORTER_OTLP_ENDPOINT at the bench origin's no-op receiver, as the tracing
 * group of `npm run bench` does (with e.g. `--config bench/configs/tracing-ratio-1.yaml`).
 *
 * `--target bare` profiles the bare node:http server serving the same bytes: the floor any Node
 * proxy stands on, layer by layer.
 *
 * Only the measured window is profiled (after a warm-up; start-up excluded). The .cpuprofile is
 * kept under .cache/profiles/ (open it in Chrome DevTools for a flame graph).
 */
import { readFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startChildServer } from './lib/child-server.ts';
import { pinned, planCpus } from './lib/cpu.ts';
import type { LoadRequest } from './lib/load-generator.ts';
import { runWrk } from './lib/wrk.ts';

const ROOT = join(import.meta.dirname, '..');
const PROFILE_DIR = join(ROOT, '.cache', 'profiles');

const SCENARIOS: Record<string, LoadRequest> = {
  'hit-1k': { method: 'GET', path: '/hit/1k' },
  'hit-100k': { method: 'GET', path: '/hit/100k' },
  'miss-no-store': { method: 'GET', path: '/miss/1k' },
  'miss-unique': { method: 'GET', path: '/hit/1k', uniquePath: true },
  post: { method: 'POST', path: '/post/1k', bodyBytes: 1024 },
};

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'hit-1k' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    top: { type: 'string', default: '25' },
    config: { type: 'string' },
    target: { type: 'string', default: 'edgehook' },
    otlp: { type: 'boolean', default: false },
  },
});

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The layer a function belongs to, from where its code lives. */
function layerOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native (program)';
    return `native: ${functionName}`;
  }
  if (url.includes('/node_modules/undici/')) return 'undici';
  if (url.includes('/node_modules/@opentelemetry/')) return 'OpenTelemetry';
  if (url.includes('/node_modules/')) return 'other packages';
  if (url.includes('/src/')) return `edgehook ${url.slice(url.indexOf('/src/') + 5).split('/')[0]}`;
  if (/node:_http|node:internal\/http/.test(url)) return 'node http';
  if (/node:internal\/streams|node:stream/.test(url)) return 'node streams';
  if (/node:net|node:internal\/net|node:internal\/stream_base/.test(url)) return 'node net/sockets';
  if (/node:internal\/(process\/task_queues|timers|async_hooks)|node:timers|node:events|node:internal\/events/.test(url)) return 'node events/timers/microtasks';
  if (url.startsWith('node:')) return 'node other';
  return 'other';
}

async function main(): Promise<void> {
  const request = SCENARIOS[values.scenario];
  if (request === undefined) throw new Error(`unknown scenario ${values.scenario}; one of ${Object.keys(SCENARIOS).join(', ')}`);
  const cpus = planCpus(true);
  await mkdir(PROFILE_DIR, { recursive: true });
  const profilePath = join(PROFILE_DIR, `${values.scenario}-${Date.now()}.cpuprofile`);
  const fixture = join(ROOT, 'bench/lib/fixture-server.ts');
  const [originCommand, originArgs] = pinned(cpus.load, process.execPath, [fixture]);
  const origin = await startChildServer({ command: originCommand, args: originArgs });
  const launcher = values.target === 'bare'
    ? [fixture]
    : [join(ROOT, 'bench/lib/edgehook-server.ts'), '--origin', origin.url, ...(values.config === undefined ? [] : ['--config', values.config])];
  const [command, args] = pinned(cpus.target, process.execPath, launcher);
  const otlp = values.otlp ? { OTEL_EXPORTER_OTLP_ENDPOINT: origin.url } : {};
  const edgehook = await startChildServer({ command, args, env: { ...process.env, ...otlp, EDGEHOOK_PROFILE_TO: profilePath } });
  let requests = 0;
  try {
    const run = { url: edgehook.url, request, connections: Number(values.connections), cpus: cpus.load };
    await runWrk({ ...run, durationSeconds: 2 }); // warm-up (JIT, pools, cache fill): not profiled
    process.kill(edgehook.pid, 'SIGUSR2');
    const result = await runWrk({ ...run, durationSeconds: Number(values.duration) });
    process.kill(edgehook.pid, 'SIGUSR2');
    await waitForFile(profilePath);
    requests = result.requests;
    console.log(`${values.scenario}: ${result.requests} requests, ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`);
  } finally {
    await edgehook.close();
    await origin.close();
  }
  report(JSON.parse(await readFile(profilePath, 'utf8')) as CpuProfile, requests, profilePath);
}

async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await readFile(path);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`no profile written to ${path}`);
}

/** Self time per node from the sample stream, over the measured requests. */
function report(profile: CpuProfile, requests: number, path: string): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const layers = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    const layer = layerOf(frame);
    if (layer === 'idle') continue;
    busy += us;
    layers.set(layer, (layers.get(layer) ?? 0) + us);
    const file = frame.url === '' ? '' : ` ${frame.url.replace(/^.*\/(node_modules\/|src\/)/, '$1')}:${frame.lineNumber + 1}`;
    const name = `${frame.functionName || '(anonymous)'}${file}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const perRequest = (us: number): string => (us / Math.max(1, requests)).toFixed(2);
  console.log(`\nbusy CPU ${(busy / 1e6).toFixed(2)} s; per request ≈ ${perRequest(busy)} µs (profiler overhead included)\n`);
  console.log('layer                                   µs/req   share');
  for (const [layer, us] of [...layers].sort((a, b) => b[1] - a[1])) {
    console.log(`${layer.padEnd(38)} ${perRequest(us).padStart(7)}  ${((us / busy) * 100).toFixed(1).padStart(5)}%`);
  }
  console.log(`\ntop ${values.top} functions by self time`);
  for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
    console.log(`${perRequest(us).padStart(7)} µs  ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
  console.log(`\nprofile: ${path}`);
}

await main();
