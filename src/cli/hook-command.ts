/**
 * `edgehook hook new|build|run`: the hook author's local toolchain.
 *   new <name> [--lang ts|as]                      scaffold <name>/hook.ts (or hook.as)
 *   build <entry.ts|entry.as> [--engine quickjs|spidermonkey] [-o out.wasm]
 *   run <module.wasm|entry> [--phase P] [--method M] [--url U] [-H 'k: v']... [--client-ip IP]
 *       [--request req.json] [--config JSON] [--status N --response-header 'k: v' --response-body S]
 *       [--timeout-ms N] [--memory-mb N]
 * `run` executes one phase with no proxy and prints the verdict, the edits and the hook's logs.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { buildHook } from '../../hooks/build/build-hook.ts';
import type { JsEngine } from '../../hooks/build/build-js.ts';
import { systemClock } from '../clock.ts';
import { createLogger } from '../log.ts';
import { isPhaseName } from '../hook-runtime/contract.ts';
import { loadGuest } from '../hook-runtime/guest-loader.ts';
import { validateHookConfig } from '../hook-runtime/hook-config.ts';
import { createLoadedHook } from '../hook-runtime/loaded-hook.ts';
import type { HookRequestState, HookResponseState } from '../pipeline/hook-seam.ts';
import { AS_TEMPLATE, TS_TEMPLATE } from './hook-scaffold.ts';
import { readRunSpec, toRequestState, toResponseState } from './hook-run-request.ts';

type Out = (text: string) => void;
const out: Out = (text) => process.stdout.write(text + '\n');
const err: Out = (text) => process.stderr.write(text + '\n');

/** Splits `args` into positionals and repeatable flags (`--flag value`, `-H value`). */
function parseFlags(args: string[]): { positional: string[]; flags: Map<string, string[]> } {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('-')) { positional.push(arg); continue; }
    const eq = arg.indexOf('=');
    const [name, value] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, args[++i] ?? ''];
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { positional, flags };
}

async function hookNew(positional: string[], flags: Map<string, string[]>): Promise<number> {
  const target = positional[0];
  const name = target === undefined ? '' : basename(target);
  if (target === undefined || !/^[a-z0-9][a-z0-9-]*$/.test(name)) { err('usage: edgehook hook new <name> [--lang ts|as]'); return 2; }
  const lang = flags.get('--lang')?.[0] ?? 'ts';
  const file = join(target, lang === 'as' ? 'hook.as' : 'hook.ts');
  if (existsSync(file)) { err(`${file} already exists`); return 1; }
  await mkdir(target, { recursive: true });
  await writeFile(file, (lang === 'as' ? AS_TEMPLATE : TS_TEMPLATE).replaceAll('__NAME__', name));
  out(`created ${file}\nnext: edgehook hook build ${file}`);
  return 0;
}

async function componentFor(input: string, flags: Map<string, string[]>): Promise<Uint8Array> {
  if (input.endsWith('.wasm')) return new Uint8Array(await readFile(input));
  const engine = (flags.get('--engine')?.[0] ?? 'quickjs') as JsEngine;
  return (await buildHook(input, { engine })).component;
}

async function hookBuild(positional: string[], flags: Map<string, string[]>): Promise<number> {
  const entry = positional[0];
  const engine = flags.get('--engine')?.[0] ?? 'quickjs';
  if (entry === undefined || (engine !== 'quickjs' && engine !== 'spidermonkey')) {
    err('usage: edgehook hook build <entry.ts|entry.as> [--engine quickjs|spidermonkey] [-o out.wasm]');
    return 2;
  }
  const started = performance.now();
  const result = await buildHook(entry, { engine });
  const output = flags.get('-o')?.[0] ?? join(resolve(entry, '..'), basename(entry).replace(/\.[^.]+$/, '') + '.wasm');
  await writeFile(output, result.component);
  out(`${output}: ${result.component.length} bytes, ${result.kind}, phases ${result.phases.join(', ')}`
    + `${result.cached ? ' (cached)' : ''} in ${Math.round(performance.now() - started)} ms`);
  return 0;
}

function snapshot(request: HookRequestState, response: HookResponseState | null): Record<string, unknown> {
  return {
    method: request.method, path: request.path, query: request.query, headers: request.headers.toPairs(),
    cacheKeyParts: [...request.cacheKeyParts], transform: request.transform,
    ...(response === null ? {} : {
      status: response.status, responseHeaders: response.headers.toPairs(), ttlSeconds: response.ttlSeconds,
      cacheable: response.cacheable, tags: [...response.tags], responseTransform: response.transform,
      ...(response.body === null ? {} : { responseBody: response.body.toString() }),
    }),
  };
}

function changes(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const diff: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) diff[key] = after[key];
  }
  return diff;
}

async function hookRun(positional: string[], flags: Map<string, string[]>): Promise<number> {
  const module = positional[0];
  const phase = flags.get('--phase')?.[0] ?? 'on-request';
  if (module === undefined || !isPhaseName(phase)) { err('usage: edgehook hook run <module> --phase on-request|on-origin-response|on-response ...'); return 2; }
  const configFlag = flags.get('--config')?.[0];
  const { value, errors } = validateHookConfig({
    name: 'local', module, phases: [phase],
    ...(configFlag === undefined ? {} : { config: configFlag.startsWith('{') || configFlag.startsWith('[') ? JSON.parse(configFlag) : configFlag }),
    timeout_ms: Number(flags.get('--timeout-ms')?.[0] ?? 1000), memory_mb: Number(flags.get('--memory-mb')?.[0] ?? 16),
    body: { request: 1_048_576, response: 1_048_576 },
  }, 'hook');
  if (value === undefined) { err(errors.map((e) => `${e.path}: ${e.message}`).join('\n')); return 2; }
  const logs: unknown[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line)) });
  const guest = await loadGuest(await componentFor(module, flags), value.memory_mb, { cacheDir: '.cache', clock: systemClock });
  if (!guest.phases.includes(phase)) { err(`${module} does not export ${phase} (exports: ${guest.phases.join(', ')})`); return 1; }
  const hook = await createLoadedHook(value, guest, { logger, clock: systemClock });
  const spec = await readRunSpec(flags);
  const request = toRequestState(spec);
  const response = phase === 'on-request' ? null : toResponseState(spec);
  const before = snapshot(request, response);
  const started = performance.now();
  const verdict = await hook.invoke(phase, request, response);
  const micros = Math.round((performance.now() - started) * 1000);
  const shown = verdict.tag === 'continue' ? verdict
    : { tag: 'respond', val: { ...verdict.val, body: verdict.val.body.toString('utf8') } };
  out(JSON.stringify({ phase, kind: guest.kind, micros, verdict: shown, edits: changes(before, snapshot(request, response)), logs }, null, 2));
  // The failure once more, for a person: message and the author's stack (guest-report.ts).
  for (const line of logs as Array<Record<string, unknown>>) {
    if (line['msg'] === 'hook failed') err(`${String(line['code'])}: ${String(line['error'])}${line['stack'] === undefined ? '' : `\n${String(line['stack'])}`}`);
  }
  return verdict.tag === 'respond' && verdict.val.headers.some(([n]) => n === 'x-edgehook-error') ? 1 : 0;
}

export async function runHookCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { positional, flags } = parseFlags(rest);
  try {
    switch (action) {
      case 'new': return await hookNew(positional, flags);
      case 'build': return await hookBuild(positional, flags);
      case 'run': return await hookRun(positional, flags);
      default:
        err('usage: edgehook hook new|build|run (see src/cli/hook-command.ts)');
        return 2;
    }
  } catch (error) {
    err(`edgehook hook ${action}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
