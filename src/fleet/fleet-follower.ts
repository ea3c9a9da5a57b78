/**
 * One node's side of the fleet: it reads the stream in order (XREAD BLOCK from the last entry it
 * applied, on a connection of its own), applies each entry to the whole node through a
 * `FleetTarget` (the node's own store and hooks, or every worker through the primary), and
 * records where it is (fleet-cursor.ts) and what each deploy did (a report per node in Redis).
 *
 * After connecting, and again after every outage, it syncs first:
 *  - the deploys in force (`<stream>:hooks`) newer than what it runs are applied, so a node that
 *    starts or returns after an entry was trimmed still runs what the fleet runs; stream entries
 *    no newer than a hook's applied deploy are then skipped, so catching up never flips versions;
 *  - when entries after its position may have been trimmed (see trimmedAfter), it cannot know
 *    what they purged, so it drops its whole cache (EH_FLEET_GAP).
 * Entries are applied at least once: the position advances only after an entry is applied, and
 * a failure (a worker not answering, Redis gone mid-report) retries from there.
 */
import type { PurgeTarget } from '../admin/admin-server.ts';
import type { Clock } from '../clock.ts';
import type { FleetConfig, HookConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { compareIds, fleetKeys, parseDeployRecord, parseFleetEntry } from './fleet-entry.ts';
import { createDeployer, type DeployState, type HookLoader } from './fleet-deployer.ts';
import type { FleetCursor } from './fleet-cursor.ts';
import { FLEET_LOG_CODES } from './fleet-log-codes.ts';
import { createFleetPublisher } from './fleet-publisher.ts';
import { createPurgeResults } from './purge-results.ts';
import { connectFleetRedis, parsePairs, parseXread, type StreamEntry } from './fleet-redis.ts';

/** What the fleet acts on: the whole node. */
export interface FleetTarget extends HookLoader {
  purge(target: PurgeTarget): Promise<number>;
  /** Drops every cached object (after a gap in the stream). */
  dropAll(): Promise<number>;
}

export interface FleetStatus {
  readonly nodeId: string;
  readonly connected: boolean;
  readonly lastApplied: string | null;
  readonly applied: Readonly<Record<'purge' | 'deploy' | 'rollback' | 'skipped', number>>;
  readonly deploysRefused: number;
  readonly gaps: number;
  readonly deploys: Readonly<Record<string, DeployState>>;
}

export interface FleetFollower {
  status(): FleetStatus;
  /** Settles once the first sync (the deploys in force, the gap check) is done; never rejects. */
  readonly synced: Promise<void>;
  /** Publishes a purge and waits (up to apply_wait) until this node applied it; purged = null if it has not yet. */
  publishPurge(target: PurgeTarget): Promise<{ id: string; purged: number | null }>;
  /** `base` with the deploys this node runs on top (for workers started later, and config reloads). */
  hooksFor(base: readonly HookConfig[]): HookConfig[];
  close(): Promise<void>;
}

export interface FleetFollowerDeps {
  readonly config: FleetConfig;
  readonly nodeId: string;
  readonly target: FleetTarget;
  readonly cursor: FleetCursor;
  /** Where fetched modules are written (content-addressed). */
  readonly moduleDir: string;
  readonly logger: Logger;
  readonly clock: Clock;
}

const BLOCK_MS = 5_000;
/**
 * Stream ids carry Redis's clock and a cache's start is this node's: entries up to this much older
 * than the cache are read anyway, so a node whose clock runs ahead of Redis's skips nothing
 * published after its cache began. (Purging a new cache again costs nothing.)
 */
const CLOCK_SKEW_MARGIN_MS = 60_000;
/** How often an idle node rewrites its status in `<stream>:nodes`. */
const STATUS_EVERY_MS = 60_000;
const BATCH = 100;
/** How long a purge may wait for Redis to take it before POST /purge answers 503. */
const PUBLISH_TIMEOUT_MS = 5_000;

export async function startFleetFollower(deps: FleetFollowerDeps): Promise<FleetFollower> {
  const { config, nodeId, target, logger } = deps;
  const keys = fleetKeys(config.stream);
  const reader = await connectFleetRedis(config, logger, `${nodeId}-reader`);
  const writer = await connectFleetRedis(config, logger, `${nodeId}-writer`);
  const publisher = createFleetPublisher(writer, keys, config.maxEntries);
  const { lastApplied, cacheStart } = deps.cursor.initial;
  let position = lastApplied ?? (cacheStart > CLOCK_SKEW_MARGIN_MS ? `${cacheStart - CLOCK_SKEW_MARGIN_MS}-0` : '0-0');
  let lastAppliedId = lastApplied;
  const deployer = createDeployer({
    nodeId, keys, redis: writer, loader: target, moduleDir: deps.moduleDir, reportTtlMs: config.reportTtl, logger, clock: deps.clock,
  });
  const counts = { purge: 0, skipped: 0 };
  let gaps = 0;
  const purges = createPurgeResults();
  const abort = new AbortController();
  let closed = false;

  async function apply({ id, fields }: StreamEntry): Promise<void> {
    const entry = parseFleetEntry(fields);
    if (typeof entry === 'string') {
      counts.skipped += 1;
      logger.warn('fleet: entry skipped', { code: FLEET_LOG_CODES.badEntry, id, error: entry });
    } else if (entry.op === 'purge') {
      const purged = await target.purge(entry.target);
      counts.purge += 1;
      logger.info('fleet: purge applied', { id, [entry.target.kind]: entry.target.value, purged });
      purges.applied(id, purged);
    } else if (deployer.isNew(entry.hook, id)) {
      await deployer.apply(id, entry.op, entry.hook, entry.record);
    }
    position = id;
    lastAppliedId = id;
  }

  /** The deploys in force and the gap check; run before reading, after every (re)connection. */
  async function sync(): Promise<void> {
    const inForce = parsePairs(await writer.command(['HGETALL', keys.hooks]));
    for (const [hook, text] of Object.entries(inForce)) {
      const { id, op, record } = JSON.parse(String(text)) as { id: string; op: 'deploy' | 'rollback'; record: unknown };
      const parsed = parseDeployRecord(JSON.stringify(record));
      if (typeof parsed === 'string' || !deployer.isNew(hook, id)) continue;
      await deployer.apply(id, op, hook, parsed);
    }
    const info = await reader.command(['XINFO', 'STREAM', keys.stream]).catch((error: Error) => {
      if (/no such key/i.test(error.message)) return null;
      throw error;
    });
    const trimmedThrough = info === null ? null : trimmedAfter(position, parsePairs(info));
    if (trimmedThrough !== null) {
      gaps += 1;
      const dropped = await target.dropAll();
      logger.warn('fleet: entries after this node\'s position were trimmed before it read them; its cache is dropped', {
        code: FLEET_LOG_CODES.gap, position, first_retained: trimmedThrough, dropped,
      });
      position = trimmedThrough;
    }
  }

  let statusAt = 0;
  const saveStatus = async (): Promise<void> => {
    statusAt = deps.clock.now();
    if (lastAppliedId !== null) await deps.cursor.save(lastAppliedId);
    await writer.command(['HSET', keys.nodes, nodeId, JSON.stringify({ lastApplied: lastAppliedId, at: new Date(deps.clock.now()).toISOString(), deploys: deployer.states() })]);
  };

  let firstSync: () => void = () => {};
  const synced = new Promise<void>((resolve) => {
    firstSync = resolve;
  });

  async function run(): Promise<void> {
    let inSync = false;
    let failures = 0;
    while (!closed) {
      try {
        if (!inSync) {
          await sync();
          await saveStatus();
          inSync = true;
          firstSync();
        }
        const raw = await reader.command(['XREAD', 'COUNT', String(BATCH), 'BLOCK', String(BLOCK_MS), 'STREAMS', keys.stream, position], { signal: abort.signal });
        const entries = parseXread(raw);
        for (const entry of entries) await apply(entry);
        // Also a heartbeat: `edgehook fleet deploy` waits for the nodes whose status is recent.
        if (entries.length > 0 || deps.clock.now() - statusAt > STATUS_EVERY_MS) await saveStatus();
        failures = 0;
      } catch (error) {
        if (closed) return;
        inSync = false;
        failures += 1;
        // Once per streak: Redis going away is also logged by the client (EH_FLEET_UNREACHABLE).
        logger[failures === 1 ? 'warn' : 'debug']('fleet: reading or applying failed; retrying from the last applied entry', {
          code: FLEET_LOG_CODES.retrying, position, error: (error as Error).message,
        });
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** Math.min(failures, 6))));
      }
    }
  }

  const running = run();
  return {
    synced,
    status: () => ({
      nodeId, connected: reader.ready && writer.ready, lastApplied: lastAppliedId, gaps, deploys: deployer.states(), deploysRefused: deployer.counts.refused,
      applied: { purge: counts.purge, deploy: deployer.counts.deploy, rollback: deployer.counts.rollback, skipped: counts.skipped },
    }),
    async publishPurge(purgeTarget) {
      if (!writer.ready) throw new Error('Redis is unreachable');
      const id = await publisher.purge(purgeTarget, AbortSignal.timeout(PUBLISH_TIMEOUT_MS));
      return { id, purged: await purges.wait(id, config.applyWait) };
    },
    hooksFor: (base) => deployer.hooksFor(base),
    async close() {
      closed = true;
      firstSync();
      abort.abort();
      await reader.close();
      await writer.close();
      await running;
    },
  };
}

/**
 * Whether entries newer than `position` were trimmed before this node read them, from XINFO
 * STREAM: null when not, else the id to read on from. Trimming (MAXLEN) removes the oldest entries
 * first, so: nothing was added after `position` — no gap; the stream still reaches back to it — no
 * gap; otherwise entries after it are gone (all of them when the stream is empty). Redis 7.0 does
 * not count trimmed ids (max-deleted-entry-id is XDEL's), so one case is judged conservatively:
 * a stream trimmed exactly through the last entry a node applied reads as a gap.
 */
export function trimmedAfter(position: string, info: Record<string, unknown>): string | null {
  const lastGenerated = String(info['last-generated-id'] ?? '0-0');
  if (compareIds(lastGenerated, position) <= 0) return null;
  const first = info['first-entry'];
  const firstId = Array.isArray(first) && typeof first[0] === 'string' ? first[0] : null;
  if (firstId === null) return lastGenerated;
  if (compareIds(firstId, position) <= 0) return null;
  // Read from just before the first retained entry, so it is applied.
  const [ms = '0', seq = '0'] = firstId.split('-');
  return seq === '0' ? `${BigInt(ms) - 1n}-${(2n ** 64n - 1n).toString()}` : `${ms}-${BigInt(seq) - 1n}`;
}
