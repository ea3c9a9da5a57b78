/**
 * Run the public HTTP caching test suite (npm `http-cache-tests`, https://cache-tests.fyi) against
 * edgehook, with the suite's own origin behind it, and gate on test/cache-suite/baseline.json.
 *
 *   node test/cache-suite/run.ts                    # edgehook (in-process startNode); gate on baseline
 *   node test/cache-suite/run.ts --record           # same, then write the baseline from this run
 *   node test/cache-suite/run.ts --impl nginx       # compare: nginx (apt) as a caching proxy; no gate
 *   node test/cache-suite/run.ts --impl edgehook-cli | origin
 *   node test/cache-suite/run.ts --id freshness-max-age   # one test, with request/response dump
 *   node test/cache-suite/run.ts --suite-dir /tmp/cache-tests   # a newer upstream checkout; no gate
 *
 * Everything listens on 127.0.0.1 port 0. Full results go to .cache/cache-suite-results[.<impl>][.checkout].json.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startChildServer, type ChildServer } from '../../bench/lib/child-server.ts';
import { baselineFrom, checkBaseline, readBaseline, writeBaseline } from './baseline.ts';
import { classifyAll, summarize, type RawResults } from './classify.ts';
import { runSingleTest, runSuiteClient } from './client.ts';
import { formatFailures, formatSummary, formatSuperseded } from './report.ts';
import { SUPERSEDED_IN_NPM_PACKAGE } from './superseded.ts';
import { loadSuiteTests } from './suite-definitions.ts';
import { checkoutSource, npmPackageSource, type SuiteSource } from './suite-source.ts';
import { IMPLS, REPO_ROOT, isImpl, startImpl, type CacheUnderTest, type ImplName } from './targets.ts';

const BASELINE_PATH = join(REPO_ROOT, 'test', 'cache-suite', 'baseline.json');
// The suite takes ~20 s here; the bound only stops a wedged proxy from hanging CI.
const CLIENT_TIMEOUT_MS = 5 * 60_000;

interface Options {
  impl: ImplName;
  record: boolean;
  id: string | null;
  out: string;
  suite: SuiteSource;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      impl: { type: 'string', default: 'edgehook' },
      record: { type: 'boolean', default: false },
      id: { type: 'string' },
      out: { type: 'string' },
      'suite-dir': { type: 'string' },
    },
  });
  const impl = values.impl ?? 'edgehook';
  if (!isImpl(impl)) throw new Error(`--impl must be one of ${IMPLS.join(', ')}`);
  if (values.record && !impl.startsWith('edgehook')) throw new Error('--record only records edgehook runs');
  const suiteDir = values['suite-dir'];
  if (values.record && suiteDir !== undefined) throw new Error('--record only records runs of the npm package (the baseline CI gates on)');
  const suite = suiteDir === undefined ? npmPackageSource() : checkoutSource(suiteDir);
  const fileName = ['cache-suite-results', ...(impl === 'edgehook' ? [] : [impl]), ...(suite.isPackage ? [] : ['checkout']), 'json'].join('.');
  return { impl, record: values.record ?? false, id: values.id ?? null, out: values.out ?? join(REPO_ROOT, '.cache', fileName), suite };
}

async function withServers<T>(options: Options, body: (cacheUrl: string, cache: CacheUnderTest) => Promise<T>): Promise<T> {
  let origin: ChildServer | null = null;
  let cache: CacheUnderTest | null = null;
  const { impl, suite } = options;
  try {
    origin = await startChildServer({ command: process.execPath, args: [join(import.meta.dirname, 'origin-server.ts'), suite.engineDir] });
    cache = await startImpl(impl, origin.url);
    return await body(cache.url, cache);
  } finally {
    await cache?.close();
    await origin?.close();
  }
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

async function runSuite(options: Options): Promise<number> {
  const tests = await loadSuiteTests(options.suite);
  const started = Date.now();
  const { results, version } = await withServers(options, async (url, cache) =>
    ({ results: await runSuiteClient(options.suite, url, CLIENT_TIMEOUT_MS), version: cache.version }));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  // The package's reversed expectations (superseded.ts) are its own; a checkout has the corrected ones.
  const superseded = options.suite.isPackage ? SUPERSEDED_IN_NPM_PACKAGE : new Map<string, string>();
  const classified = classifyAll(tests, results, superseded);
  const summary = summarize(classified);
  const commit = gitCommit();
  await writeResults(options.out, { impl: options.impl, suite: options.suite.label, version, commit, summary, tests: classified, raw: results });

  console.log([...formatFailures(classified), ...formatSuperseded(classified, superseded)].join('\n'));
  console.log(`\n${options.suite.label} against ${options.impl} (${version}) in ${seconds} s; full results: ${options.out}`);
  console.log(formatSummary(summary).join('\n'));
  return gate(options, summary, commit);
}

async function gate(options: Options, summary: ReturnType<typeof summarize>, commit: string | null): Promise<number> {
  if (!options.impl.startsWith('edgehook') || !options.suite.isPackage) return 0;
  if (options.record) {
    const baseline = baselineFrom(summary, commit, new Date());
    await writeBaseline(BASELINE_PATH, baseline);
    console.log(`baseline recorded: ${JSON.stringify(baseline)}`);
    return 0;
  }
  const verdict = checkBaseline(await readBaseline(BASELINE_PATH), summary);
  console.log(verdict.lines.join('\n'));
  // Closing line in the plain "N passed, N failed" shape CI reads: it counts the gate's checks.
  console.log(`baseline-gate: ${verdict.passedChecks} passed, ${verdict.failedChecks} failed`);
  return verdict.ok ? 0 : 1;
}

interface ResultsFile {
  impl: string;
  suite: string;
  version: string;
  commit: string | null;
  summary: unknown;
  tests: unknown;
  raw: RawResults;
}

async function writeResults(path: string, results: ResultsFile): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify({ ...results, date: new Date().toISOString() }, null, 2) + '\n');
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.id !== null) {
    const id = options.id;
    return withServers(options, (url) => runSingleTest(options.suite, url, id));
  }
  return runSuite(options);
}

try {
  process.exitCode = await main();
} catch (error) {
  // The stack names the file when src/ fails to load (a syntax error mid-edit, a missing module).
  console.error(`cache suite: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 2;
}
