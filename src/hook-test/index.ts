/**
 * The flow test runner as a library: what `edgehook hook test` runs, importable from an author's
 * own vitest/node:test suite (`import { runHookTests } from 'edgehook/hook-test'`, see
 * hooks/README.md). Builds the hook once (cached by content hash), then runs every case of every
 * file through a real node (flow-runner.ts).
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { systemClock } from '../clock.ts';
import { sha256Of } from '../hook-runtime/prepare-module.ts';
import { loadGuest } from '../hook-runtime/guest-loader.ts';
import { parseFlowFile, type FlowCase } from './flow-case.ts';
import { runFlowCase, type FlowResult, type HookUnderTest } from './flow-runner.ts';

export { FlowFileError, parseFlowFile, type FlowCase } from './flow-case.ts';
export type { FlowResult } from './flow-runner.ts';

export interface HookTestOptions {
  /** The hook: an entry (.ts, .js, .as: built, cached) or a built component (.wasm). */
  readonly hook: string;
  /** Flow files (.yaml, .yml, .json) or folders of them. */
  readonly files: readonly string[];
  readonly engine?: 'quickjs' | 'spidermonkey';
  /** Build and prepared-module cache (default `.cache` in the working directory). */
  readonly cacheDir?: string;
  /** The hook's name in the node (default: its folder's name). */
  readonly name?: string;
}

export interface HookTestReport {
  readonly results: readonly FlowResult[];
  readonly passed: number;
  readonly failed: number;
}

const FLOW_FILE = /\.(ya?ml|json)$/;

/** Flow files from files and folders (one level), sorted. */
export async function findFlowFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      for (const entry of (await readdir(path)).sort()) if (FLOW_FILE.test(entry)) files.push(join(path, entry));
    } else files.push(path);
  }
  return files;
}

async function prepareHook(options: HookTestOptions, cacheDir: string): Promise<HookUnderTest> {
  const name = options.name ?? (basename(dirname(resolve(options.hook))).replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '') || 'hook');
  if (options.hook.endsWith('.wasm')) {
    const bytes = new Uint8Array(await readFile(options.hook));
    const guest = await loadGuest(bytes, 128, { cacheDir, clock: systemClock });
    return { name, module: resolve(options.hook), phases: guest.phases };
  }
  const { buildHook } = await import('../../hooks/build/build-hook.ts');
  const built = await buildHook(options.hook, { cacheDir, ...(options.engine === undefined ? {} : { engine: options.engine }) });
  const module = join(cacheDir, 'hook-test', `${sha256Of(built.component)}.wasm`);
  await mkdir(dirname(module), { recursive: true });
  await writeFile(module, built.component);
  return { name, module, phases: built.phases };
}

/** Builds the hook and runs every case; never throws for a failing case (see `failed`). */
export async function runHookTests(options: HookTestOptions): Promise<HookTestReport> {
  const cacheDir = resolve(options.cacheDir ?? '.cache');
  const cases: FlowCase[] = [];
  for (const file of await findFlowFiles(options.files)) cases.push(...await parseFlowFile(file));
  const hook = await prepareHook(options, cacheDir);
  const results: FlowResult[] = [];
  // One at a time: each case has its own node and origin, and their logs must not mix.
  for (const c of cases) results.push(await runFlowCase(c, hook, { cacheDir }));
  const failed = results.filter((r) => r.differences.length > 0).length;
  return { results, passed: results.length - failed, failed };
}

/** The report as a person reads it: ✓/✗ per case, the differences indented under a failure. */
export function formatHookTestReport(report: HookTestReport): string {
  const lines: string[] = [];
  for (const r of report.results) {
    lines.push(`${r.differences.length === 0 ? '✓' : '✗'} ${r.case.file}: ${r.case.name} (${Math.round(r.millis)} ms)`);
    for (const d of r.differences) lines.push(...d.split('\n').map((line) => `    ${line}`));
  }
  lines.push(`${report.passed} passed, ${report.failed} failed`);
  return lines.join('\n');
}
