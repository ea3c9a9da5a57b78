/**
 * `edgehook hook dev ENTRY --origin URL`: a real node serving one hook, rebuilt on save and
 * hot-swapped with the same atomic reload as POST /hooks/reload. The entry's folder is watched
 * (fs.watch, and its sub-folders one level down); changes within 60 ms are one rebuild, and a change that lands during a
 * build starts one more after it. A failing build (type errors, compile errors) or a module that
 * does not load prints why and leaves the last good module serving. Ctrl-C stops it.
 */
import { readdirSync, watch } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { resolveConfig } from '../config/load.ts';
import type { EdgehookConfig } from '../config/types.ts';
import { createLogger } from '../log.ts';
import type { EdgehookNode } from '../node.ts';
import type { PhaseName } from '../pipeline/hook-seam.ts';
import { buildEntry, engineOf, type Out } from './hook-build-command.ts';
import { flag, HookUsageError, type ParsedHookArgs } from './hook-flags.ts';

const SOURCE = /\.(ts|mts|js|mjs|as|json)$/;
const DEBOUNCE_MS = 60;

interface DevSettings { entry: string; name: string; origin: string; listen: string; phases: string[] | null; config: unknown }

function settingsOf({ positional, flags }: ParsedHookArgs): DevSettings {
  const entry = positional[0];
  if (entry === undefined || entry.endsWith('.wasm')) throw new HookUsageError('hook dev needs a source entry (.ts, .js or .as) to watch');
  const origin = flag(flags, 'origin');
  if (origin === undefined) throw new HookUsageError('hook dev needs --origin URL');
  const configText = flag(flags, 'config');
  let config: unknown;
  if (configText !== undefined) {
    try { config = /^[[{]/.test(configText) ? JSON.parse(configText) : configText; } catch (error) {
      throw new HookUsageError(`--config: not valid JSON (${(error as Error).message})`);
    }
  }
  const name = basename(dirname(resolve(entry))).replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '') || 'hook';
  return { entry, name, origin, listen: flag(flags, 'listen') ?? '127.0.0.1:8080', phases: flag(flags, 'phases')?.split(',') ?? null, config };
}

/** Builds the entry and writes the component where the node loads it from (content-addressed). */
async function buildModule(s: DevSettings, flags: ReadonlyMap<string, string[]>): Promise<{ module: string; phases: PhaseName[]; ms: number }> {
  const started = performance.now();
  const built = await buildEntry(s.entry, engineOf(flags));
  const { sha256Of } = await import('../hook-runtime/prepare-module.ts');
  const module = resolve('.cache', 'hook-dev', `${sha256Of(built.component)}.wasm`);
  await mkdir(dirname(module), { recursive: true });
  await writeFile(module, built.component);
  return { module, phases: built.phases, ms: Math.round(performance.now() - started) };
}

function configFor(s: DevSettings, module: string, phases: PhaseName[]): EdgehookConfig {
  return resolveConfig({
    origin: { url: s.origin }, listen: s.listen, admin: false, log: { level: 'info' },
    hooks: [{ name: s.name, module, phases: s.phases ?? phases, timeout_ms: 1000, ...(s.config === undefined ? {} : { config: s.config }) }],
  });
}

export async function hookDev(parsed: ParsedHookArgs, out: Out, err: Out): Promise<number> {
  const s = settingsOf(parsed);
  const first = await buildModule(s, parsed.flags);
  const logger = createLogger({ level: 'info' });
  const { startNode } = await import('../node.ts');
  const node = await startNode({ config: configFor(s, first.module, first.phases), logger });
  // Watch first, then say so: stdout to a pipe is written synchronously, and a reader that saves
  // as soon as it reads the line must not beat the watch (bench/hook-loop.ts did, on a loaded machine).
  watchAndReload(s, parsed.flags, node, out, err);
  out(`edgehook hook dev: ${node.url} → ${s.origin}, hook "${s.name}" (${first.phases.join(', ')}) built in ${first.ms} ms; watching ${dirname(resolve(s.entry))}`);
  return new Promise((done) => {
    const stop = (): void => { void node.close(1000).then(() => done(0)); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function watchAndReload(s: DevSettings, flags: ReadonlyMap<string, string[]>, node: EdgehookNode, out: Out, err: Out): void {
  let timer: NodeJS.Timeout | undefined;
  let building = false;
  let again = false;
  const rebuild = async (): Promise<void> => {
    if (building) { again = true; return; }
    building = true;
    try {
      const built = await buildModule(s, flags);
      const started = performance.now();
      const result = await node.reloadHooks(configFor(s, built.module, built.phases).hooks);
      if (result?.ok === true) out(`rebuilt in ${built.ms} ms, swapped in ${Math.round(performance.now() - started)} ms`);
      else err(`reload refused, the last good module keeps serving: ${result?.error ?? 'no hooks'}`);
    } catch (error) {
      err(`build failed, the last good module keeps serving:\n${error instanceof Error ? error.message : String(error)}`);
    } finally {
      building = false;
      if (again) { again = false; void rebuild(); }
    }
  };
  const onChange = (file: string | null): void => {
    if (file === null || !SOURCE.test(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => void rebuild(), DEBOUNCE_MS);
  };
  // Non-recursive watches: Node's recursive fs.watch on Linux sets itself up asynchronously and
  // missed a save made right after start (measured: bench/hook-loop.ts never saw it).
  const watchers = sourceDirs(dirname(resolve(s.entry))).map((dir) => watch(dir, (_event, file) => onChange(file)));
  const close = (): void => { for (const w of watchers) w.close(); };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
}

/** The entry's folder and its sub-folders one level down, but not tests/, node_modules or dot-folders. */
function sourceDirs(root: string): string[] {
  const subdirs = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules' && e.name !== 'tests')
    .map((e) => join(root, e.name));
  return [root, ...subdirs];
}

