/**
 * createHookPlan: loads and validates every configured hook at startup (compile once, never on
 * the request path) and keeps the current frozen plan. reload() builds a complete new plan and
 * swaps it atomically: requests that already selected their RouteHooks finish on the old hooks;
 * if any module fails to load or validate, the old plan keeps serving and the reason is logged.
 * A hook whose module bytes and settings did not change is carried into the new plan as it is —
 * circuit breaker, stats and warm instances — so a reload never closes a tripped breaker.
 */
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { HookPlan } from '../pipeline/hook-seam.ts';
import type { TransformBounds } from '../attributes/transform-spec.ts';
import type { HookReads } from './guest-imports.ts';
import { checkExports, loadGuest } from './guest-loader.ts';
import { hookConfigText, isSameHookSettings, type HookConfig } from './hook-config.ts';
import { createFrozenPlan } from './hook-plan.ts';
import { createLoadedHook, type HookInfo, type LoadedHook } from './loaded-hook.ts';
import { loadModuleBytes } from './module-source.ts';
import { sha256Of } from './prepare-module.ts';
import type { Telemetry } from '../telemetry/telemetry.ts';
import { createProxyWasmNodeState, type ProxyWasmNodeState } from './proxy-wasm/node-state.ts';

export type { HookInfo } from './loaded-hook.ts';
export type { HookReads } from './guest-imports.ts';

export interface HookPlanDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  /** Directory of the config file: relative module paths resolve against it. */
  readonly baseDir: string;
  /** Prepared modules are cached under `<cacheDir>/hooks/<sha256>`. */
  readonly cacheDir: string;
  /** Extra CA certificates for https:// modules (tests: a local self-signed server). */
  readonly httpsCa?: string | Buffer;
  /** Spans and metrics for each hook call; absent = none. */
  readonly telemetry?: Telemetry;
  /** The node's image.transform bounds, which set-transform checks specs against (default: the config defaults). */
  readonly transformBounds?: TransformBounds;
  /**
   * Called before a reloaded plan replaces the serving one, with what its hooks read, so the node
   * can load what they need (geo data) off the request path. A throw fails the reload.
   */
  readonly beforeSwap?: (reads: HookReads) => void;
  /** Shared data and metrics of this node's proxy-wasm filters (absent: the registry makes its own). */
  readonly proxyWasm?: ProxyWasmNodeState;
}

export interface ReloadResult {
  readonly ok: boolean;
  /** Why a reload was refused (the first failure, naming its hook); absent when ok. */
  readonly error?: string;
  /**
   * What refused it: `hook` — a module or hooks list that does not load or validate (the
   * operator's to fix); `node` — the node could not take the new plan (e.g. its geo data failed
   * to load) or is closing. Absent when ok.
   */
  readonly refusedBy?: 'hook' | 'node';
  /**
   * Per hook: the version now serving (sha256) and whether a new copy replaced the serving one
   * (`changed`: its bytes or settings differ, or it is new), or why loading failed.
   */
  readonly hooks: ReadonlyArray<{ name: string; sha256?: string; changed?: boolean; error?: string }>;
}

export interface HookRegistry {
  /** The current frozen plan; select() on it is the request path's only entry point. */
  plan(): HookPlan;
  /** Reloads modules (and, when given, a new `hooks:` list) and swaps the plan atomically. */
  reload(hooks?: readonly HookConfig[]): Promise<ReloadResult>;
  list(): HookInfo[];
  /** What the current hooks can read, any of them (from their components' imports, see guest-imports.ts). */
  reads(): HookReads;
  close(): void;
}

/** The serving hooks by name: a reload keeps those whose bytes and settings are unchanged. */
type ServingHooks = ReadonlyMap<string, LoadedHook>;

async function loadOne(config: HookConfig, deps: HookPlanDeps & { proxyWasm: ProxyWasmNodeState }, serving: ServingHooks): Promise<LoadedHook> {
  try {
    const bytes = await loadModuleBytes(config.module, config.sha256, {
      baseDir: deps.baseDir, ...(deps.httpsCa === undefined ? {} : { httpsCa: deps.httpsCa }),
    });
    const current = serving.get(config.name);
    if (current !== undefined && current.sha256 === sha256Of(bytes) && isSameHookSettings(current.config, config)) return current;
    const guest = await loadGuest(bytes, config.memory_mb, {
      cacheDir: deps.cacheDir, clock: deps.clock, ...(config.kind === undefined ? {} : { kind: config.kind }),
      proxyWasm: {
        name: config.name, rootId: config.proxy_wasm?.root_id ?? '', vmConfig: hookConfigText(config.proxy_wasm?.vm_config),
        node: deps.proxyWasm, phases: config.phases,
      },
    });
    checkExports(config, guest);
    return await createLoadedHook(config, guest, {
      logger: deps.logger, clock: deps.clock, telemetry: deps.telemetry, transformBounds: deps.transformBounds,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(message.includes(`"${config.name}"`) ? message : `hook "${config.name}": ${message}`, { cause: error });
  }
}

async function loadAll(configs: readonly HookConfig[], deps: HookPlanDeps & { proxyWasm: ProxyWasmNodeState }, serving: ServingHooks): Promise<PromiseSettledResult<LoadedHook>[]> {
  const names = new Set<string>();
  for (const config of configs) {
    if (names.has(config.name)) throw new Error(`hook "${config.name}" is configured twice`);
    names.add(config.name);
  }
  return Promise.allSettled(configs.map((config) => loadOne(config, deps, serving)));
}

function readsOfAll(hooks: readonly LoadedHook[]): HookReads {
  return { geo: hooks.some((h) => h.reads.geo), image: hooks.some((h) => h.reads.image) };
}

function firstError(results: PromiseSettledResult<LoadedHook>[]): Error | undefined {
  const failed = results.find((r) => r.status === 'rejected');
  return failed === undefined ? undefined : (failed as PromiseRejectedResult).reason as Error;
}

/** Loads every hook; throws (naming the hook) if any fails — startup must not serve half a config. */
export async function createHookPlan(hooks: readonly HookConfig[], planDeps: HookPlanDeps): Promise<HookRegistry> {
  // One per node, kept across reloads: a reloaded filter finds its shared data and metrics again.
  const deps = { ...planDeps, proxyWasm: planDeps.proxyWasm ?? createProxyWasmNodeState() };
  const logger = deps.logger.child({ component: 'hooks' });
  const initial = await loadAll(hooks, deps, new Map());
  const error = firstError(initial);
  if (error !== undefined) throw error;
  let configs = hooks;
  let loaded = initial.map((r) => (r as PromiseFulfilledResult<LoadedHook>).value);
  let plan = createFrozenPlan(loaded);
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();
  // The gauge reads the serving hooks' breakers at collection, whatever plan serves by then.
  deps.telemetry?.hooks.watchCircuits(() => loaded.map((hook) => [hook.name, hook.circuit()] as const));
  deps.telemetry?.hooks.watchFilterMetrics(() => ({ metrics: deps.proxyWasm.metrics(), refusals: deps.proxyWasm.bounded }));

  const refuse = (refusedBy: 'hook' | 'node', error: Error, hooks: ReloadResult['hooks']): ReloadResult => {
    logger.error('hook reload refused: the previous hooks keep serving', { code: 'EH_HOOK_LOAD', error });
    return { ok: false, error: error.message, refusedBy, hooks };
  };

  const doReload = async (next: readonly HookConfig[]): Promise<ReloadResult> => {
    const serving = new Map(loaded.map((h) => [h.name, h]));
    let results: PromiseSettledResult<LoadedHook>[];
    try {
      results = await loadAll(next, deps, serving);
    } catch (error) {
      return refuse('hook', error as Error, [{ name: '*', error: (error as Error).message }]);
    }
    const report = results.map((r, i) => r.status === 'fulfilled'
      ? { name: r.value.name, sha256: r.value.sha256, changed: serving.get(r.value.name) !== r.value }
      : { name: next[i]!.name, error: (r.reason as Error).message });
    const error = firstError(results);
    if (error !== undefined) return refuse('hook', error, report);
    if (closed) return refuse('node', new Error('the hook registry is closed'), report);
    const ready = results.map((r) => (r as PromiseFulfilledResult<LoadedHook>).value);
    try {
      deps.beforeSwap?.(readsOfAll(ready));
    } catch (error) {
      return refuse('node', error as Error, [{ name: '*', error: (error as Error).message }]);
    }
    configs = next;
    loaded = ready;
    plan = createFrozenPlan(loaded); // the swap: one assignment
    logger.info('hooks reloaded', { hooks: report });
    return { ok: true, hooks: report };
  };

  return {
    plan: () => plan,
    reload: (next) => {
      // Reloads are serialised so two SIGHUPs cannot interleave their swaps.
      const run = queue.then(() => doReload(next ?? configs));
      queue = run.catch(() => undefined);
      return run;
    },
    list: () => loaded.map((h) => h.info()),
    reads: () => readsOfAll(loaded),
    close: () => {
      closed = true;
      loaded = [];
      plan = createFrozenPlan([]);
    },
  };
}
