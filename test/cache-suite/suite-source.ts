/**
 * Where the suite's code and test definitions come from: the npm package `http-cache-tests`
 * (0.4.5, the default and what CI gates on), or — with `--suite-dir` — a checkout of the upstream
 * repository, whose newer definitions (CDN-Cache-Control, interim responses, RFC 9111's Age rules)
 * the package predates. A checkout is read where it lies and never copied into this repository.
 *
 * Two layouts exist: the package keeps `cli.mjs`, `client/`, `server/` and `lib/` at its root;
 * newer checkouts moved them under `test-engine/`. Test definitions are in `tests/` in both.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SuiteSource {
  /** Directory holding `tests/`. */
  readonly root: string;
  /** Directory holding `cli.mjs` and `server/`. */
  readonly engineDir: string;
  /** Definition modules the client runs, relative to `root`, beyond `tests/index.mjs`. */
  readonly extraSuites: readonly string[];
  /** e.g. "http-cache-tests 0.4.5 (npm)" or "http-cache-tests checkout /tmp/cache-tests". */
  readonly label: string;
  /** True for the npm package: the gate and superseded.ts apply only to it. */
  readonly isPackage: boolean;
}

export function npmPackageSource(): SuiteSource {
  const root = dirname(fileURLToPath(import.meta.resolve('http-cache-tests/package.json')));
  // The package's cli.mjs pushes surrogate-control.mjs onto the index itself.
  return { root, engineDir: root, extraSuites: ['tests/surrogate-control.mjs'], label: `http-cache-tests ${version(root)} (npm)`, isPackage: true };
}

/** A checkout in either layout; throws with a plain message when `dir` is not one. */
export function checkoutSource(dir: string): SuiteSource {
  const root = resolve(dir);
  if (!existsSync(join(root, 'tests', 'index.mjs'))) throw new Error(`${root} has no tests/index.mjs: not an http-cache-tests checkout`);
  const nested = join(root, 'test-engine');
  const engineDir = existsSync(join(nested, 'cli.mjs')) ? nested : root;
  if (!existsSync(join(engineDir, 'cli.mjs'))) throw new Error(`${root} has no cli.mjs or test-engine/cli.mjs`);
  // Only the old layout's cli.mjs adds surrogate-control.mjs; newer ones list everything in the index.
  const extraSuites = engineDir === root && existsSync(join(root, 'tests', 'surrogate-control.mjs')) ? ['tests/surrogate-control.mjs'] : [];
  return { root, engineDir, extraSuites, label: `http-cache-tests checkout ${root} (package.json says ${version(root)})`, isPackage: false };
}

function version(root: string): string {
  try {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
    return manifest.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
