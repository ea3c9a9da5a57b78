/**
 * Applying deploys and rollbacks on one node: fetch the module by sha256 (hook-deploys.ts), put
 * it over the config file's hooks, and have the whole node load the result (`FleetTarget.loadHooks`:
 * the hook registry's atomic swap, so a module that does not load leaves the old hooks serving).
 * Whatever the outcome, the node reports it in Redis (`<stream>:report:<id>`, one field per node)
 * and remembers the entry as handled, so a refused deploy is not tried again (a module that does
 * not load today will not load on a second try).
 */
import type { Clock } from '../clock.ts';
import type { HookConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { compareIds, type DeployRecord, type FleetKeys } from './fleet-entry.ts';
import { FLEET_LOG_CODES } from './fleet-log-codes.ts';
import type { FleetRedis } from './fleet-redis.ts';
import { moduleFile, withDeploys, type AppliedDeploy } from './hook-deploys.ts';

export type DeployOp = 'deploy' | 'rollback';

/** The last deploy or rollback of one hook on this node, as /hooks and the metrics show it. */
export interface DeployState {
  readonly id: string;
  readonly op: DeployOp;
  readonly sha256: string | null;
  readonly ok: boolean;
  readonly error?: string;
}

export interface HookLoader {
  /** The config file's hooks now. */
  baseHooks(): readonly HookConfig[];
  /** Loads `hooks` on the whole node; on failure the old ones keep serving. */
  loadHooks(hooks: readonly HookConfig[]): Promise<{ readonly ok: boolean; readonly error?: string }>;
}

export interface Deployer {
  /** Whether entry `id` of `hook` is newer than the last one this node handled. */
  isNew(hook: string, id: string): boolean;
  apply(id: string, op: DeployOp, hook: string, record: DeployRecord): Promise<void>;
  hooksFor(base: readonly HookConfig[]): HookConfig[];
  states(): Readonly<Record<string, DeployState>>;
  readonly counts: { readonly deploy: number; readonly rollback: number; readonly refused: number };
}

export interface DeployerDeps {
  readonly nodeId: string;
  readonly keys: FleetKeys;
  readonly redis: FleetRedis;
  readonly loader: HookLoader;
  readonly moduleDir: string;
  readonly reportTtlMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
}

export function createDeployer(deps: DeployerDeps): Deployer {
  const { keys, redis, loader, logger } = deps;
  let deploys: ReadonlyMap<string, AppliedDeploy> = new Map();
  const handled = new Map<string, string>();
  const states: Record<string, DeployState> = {};
  const counts = { deploy: 0, rollback: 0, refused: 0 };

  /** The error that refuses the deploy, or the hooks it yields. */
  async function prepare(hook: string, record: DeployRecord): Promise<{ error: string } | { next: Map<string, AppliedDeploy> }> {
    if (!loader.baseHooks().some((h) => h.name === hook)) return { error: `no hook "${hook}" in this node's config` };
    let modulePath: string | null = null;
    if (record.sha256 !== null) {
      const sha256 = record.sha256;
      const file = await moduleFile(deps.moduleDir, sha256, () => redis.bytes(keys.module(sha256)));
      if ('refused' in file) return { error: file.refused };
      modulePath = file.path;
    }
    const next = new Map(deploys);
    if (record.sha256 === null && record.config === undefined) next.delete(hook);
    else next.set(hook, { record, modulePath });
    return { next };
  }

  async function apply(id: string, op: DeployOp, hook: string, record: DeployRecord): Promise<void> {
    // A throw (Redis gone while fetching the module) is retried with the entry, not a refusal.
    const prepared = await prepare(hook, record);
    let error = 'error' in prepared ? prepared.error : undefined;
    if ('next' in prepared) {
      const result = await loader.loadHooks(withDeploys(loader.baseHooks(), prepared.next));
      if (result.ok) deploys = prepared.next;
      else error = result.error ?? 'refused';
    }
    const state: DeployState = { id, op, sha256: record.sha256, ok: error === undefined, ...(error === undefined ? {} : { error }) };
    states[hook] = state;
    if (error === undefined) {
      counts[op] += 1;
      logger.info(`fleet: ${op} applied`, { code: FLEET_LOG_CODES.deployed, id, hook, sha256: record.sha256 });
    } else {
      counts.refused += 1;
      logger.error(`fleet: ${op} refused; the previous version keeps serving`, { code: FLEET_LOG_CODES.deployRefused, id, hook, sha256: record.sha256, error });
    }
    await redis.command(['HSET', keys.report(id), deps.nodeId, JSON.stringify({ ...state, at: new Date(deps.clock.now()).toISOString() })]);
    await redis.command(['PEXPIRE', keys.report(id), String(deps.reportTtlMs)]);
    // Only once reported: an entry retried after Redis went away mid-report is applied (the same
    // hooks again: kept as they are) and reported again.
    handled.set(hook, id);
  }

  return {
    isNew: (hook, id) => compareIds(id, handled.get(hook) ?? '0-0') > 0,
    apply,
    hooksFor: (base) => withDeploys(base, deploys),
    states: () => ({ ...states }),
    counts,
  };
}
