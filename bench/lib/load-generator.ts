/**
 * Load generators always run in their own process, pinned away from the server under test, so
 * the generator never competes with the thing it measures for the same core. wrk (C, epoll) is
 * preferred; autocannon's CLI is the fallback when wrk is not installed — it is JavaScript and
 * saturates its core sooner, so its ceiling is lower.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runAutocannon } from './autocannon.ts';
import { runWrk } from './wrk.ts';

export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Request body size in bytes (POST). */
  readonly bodyBytes?: number;
  /** Append a unique query string to every request (wrk only): each request is a new cache key. */
  readonly uniquePath?: boolean;
  /** Extra request header fields (wrk only), e.g. `connection: close` for a new connection per request. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LoadRun {
  readonly url: string;
  readonly request: LoadRequest;
  readonly connections: number;
  readonly durationSeconds: number;
  /** `taskset -c` list for the generator process, or null. */
  readonly cpus: string | null;
  /** A request unanswered this long counts as an error (wrk only; default 5 s). */
  readonly timeoutSeconds?: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors, timeouts and non-2xx responses together. */
  readonly errors: number;
}

export interface LoadGenerator {
  readonly name: string;
  readonly version: string;
  supports(request: LoadRequest): boolean;
  run(run: LoadRun): Promise<LoadResult>;
}

export function pickLoadGenerator(prefer: 'wrk' | 'autocannon' | 'auto'): LoadGenerator {
  const wrk = wrkVersion();
  if (prefer !== 'autocannon' && wrk !== null) {
    return { name: 'wrk', version: wrk, supports: () => true, run: runWrk };
  }
  if (prefer === 'wrk') throw new Error('wrk is not installed (apt-get install wrk)');
  return {
    name: 'autocannon', version: autocannonVersion(),
    supports: (request) => request.uniquePath !== true && request.headers === undefined,
    run: runAutocannon,
  };
}

function wrkVersion(): string | null {
  // `wrk --version` exits 1 after printing its banner to stdout; a missing binary sets error.
  const result = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (result.error) return null;
  return /wrk (\S+)/.exec(result.stdout)?.[1] ?? 'unknown';
}

function autocannonVersion(): string {
  const require = createRequire(import.meta.url);
  const manifest = require(join(dirname(require.resolve('autocannon')), 'package.json')) as { version: string };
  return manifest.version;
}
