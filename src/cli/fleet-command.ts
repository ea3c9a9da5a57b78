/**
 * `edgehook fleet purge|deploy|rollback|status --config FILE`: an operator's side of fleet
 * coordination (src/fleet), from any machine that reaches the fleet's Redis. The config file's
 * `fleet:` section names the Redis and the stream — the same file the nodes run, so the two
 * cannot disagree. deploy and rollback then wait for the nodes' reports and exit 1 when a node
 * refused the version or did not answer in time, so a deploy script stops there.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config/load.ts';
import { parseDuration } from '../config/parse-duration.ts';
import type { FleetConfig } from '../config/types.ts';
import { ConfigError } from '../errors.ts';
import { fleetKeys, type FleetKeys } from '../fleet/fleet-entry.ts';
import { createFleetPublisher, type FleetPublisher } from '../fleet/fleet-publisher.ts';
import { connectFleetRedis, parsePairs, type FleetRedis } from '../fleet/fleet-redis.ts';
import { canonicalUrl } from '../http/path-form.ts';
import { silentLogger } from '../log.ts';
import type { FleetAction } from './args.ts';
import { UsageError } from './args.ts';

/** Nodes that wrote their status within this long are waited for. */
const LIVE_NODE_MS = 10 * 60_000;
const CONNECT_TIMEOUT_MS = 5_000;

const FLAGS = {
  config: { type: 'string' }, url: { type: 'string' }, prefix: { type: 'string' }, tag: { type: 'string' },
  hook: { type: 'string' }, module: { type: 'string' }, 'hook-config': { type: 'string' }, wait: { type: 'string' },
} as const;

type Flags = Partial<Record<keyof typeof FLAGS, string>>;

export async function runFleetCommand(action: FleetAction, args: readonly string[]): Promise<number> {
  let flags: Flags;
  try {
    flags = parseArgs({ args: [...args], options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError((error as Error).message, 'fleet');
  }
  if (flags.config === undefined) throw new UsageError(`edgehook fleet ${action} needs --config FILE (its fleet: section names the Redis)`, 'fleet');
  const config = await loadConfigFile(flags.config);
  if (config.fleet === null) throw new ConfigError(`${flags.config}: no fleet: section (fleet coordination is off)`);
  const redis = await connect(config.fleet);
  try {
    const keys = fleetKeys(config.fleet.stream);
    const publisher = createFleetPublisher(redis, keys, config.fleet.maxEntries);
    switch (action) {
      case 'purge': {
        const id = await publisher.purge(purgeTarget(flags, config.proxy));
        return print({ published: id });
      }
      case 'deploy': {
        const hook = need(flags, 'hook', action);
        const bytes = new Uint8Array(await readFile(need(flags, 'module', action)));
        const hookConfig = flags['hook-config'] === undefined ? undefined : parseJson(flags['hook-config']);
        const { id, sha256 } = await publisher.deploy(hook, bytes, hookConfig);
        return await awaitReports(redis, keys, publisher, { published: id, op: 'deploy', hook, sha256 }, waitMs(flags));
      }
      case 'rollback': {
        const hook = need(flags, 'hook', action);
        const { id, record } = await publisher.rollback(hook).catch((error: Error) => {
          throw new ConfigError(error.message.replace(/^NOTHING /, 'nothing '));
        });
        return await awaitReports(redis, keys, publisher, { published: id, op: 'rollback', hook, sha256: record.sha256 }, waitMs(flags));
      }
      case 'status':
        return print(await fleetStatus(redis, keys));
    }
  } finally {
    await redis.close();
  }
}

async function connect(fleet: FleetConfig): Promise<FleetRedis> {
  const redis = await connectFleetRedis(fleet, silentLogger, 'cli');
  const deadline = Date.now() + CONNECT_TIMEOUT_MS;
  while (!redis.ready) {
    if (Date.now() > deadline) {
      await redis.close();
      const where = fleet.sentinel === null ? new URL(fleet.redis).host : `the master "${fleet.sentinel.master}" through its sentinels`;
      throw new ConfigError(`fleet.redis: cannot reach ${where} within ${CONNECT_TIMEOUT_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return redis;
}

function need(flags: Flags, name: keyof Flags, action: string): string {
  const value = flags[name];
  if (value === undefined || value === '') throw new UsageError(`edgehook fleet ${action} needs --${name}`, 'fleet');
  return value;
}

function purgeTarget(flags: Flags, proxy: { mergeSlashes: boolean; pathWithEscapedSlashes: 'reject' | 'keep' | 'decode' }): { kind: 'url' | 'prefix' | 'tag'; value: string } {
  const given = (['url', 'prefix', 'tag'] as const).filter((k) => flags[k] !== undefined);
  if (given.length !== 1) throw new UsageError('edgehook fleet purge needs exactly one of --url, --prefix, --tag', 'fleet');
  const kind = given[0]!;
  if (kind === 'tag') return { kind, value: flags.tag! };
  const url = URL.parse(flags[kind]!);
  if (url === null || !/^https?:$/.test(url.protocol)) throw new UsageError(`--${kind} must be an absolute http(s) URL`, 'fleet');
  // The form requests are keyed by, as POST /purge does.
  const form = canonicalUrl(url, { mergeSlashes: proxy.mergeSlashes, escapedSlashes: proxy.pathWithEscapedSlashes });
  if (!form.ok) throw new UsageError(`--${kind}: no request can have that URL: ${form.reason}`, 'fleet');
  return { kind, value: form.url };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError('--hook-config must be JSON (a string value in quotes: \'"secret"\')', 'fleet');
  }
}

function waitMs(flags: Flags): number {
  const ms = parseDuration(flags.wait ?? '30s');
  if (ms === undefined) throw new UsageError(`--wait: expected a duration like "30s", got "${flags.wait}"`, 'fleet');
  return ms;
}

/** Waits for every live node's report on `entry`; exit 0 only when all applied it. */
interface Reports {
  readonly reports: Record<string, { ok: boolean; error?: string }>;
  /** Live nodes that did not report in time. */
  readonly missing: string[];
  readonly refused: string[];
}

/** Waits for a report on entry `id` from every node whose status is recent. */
async function collectReports(redis: FleetRedis, keys: FleetKeys, id: string, timeoutMs: number): Promise<Reports> {
  const nodes = parsePairs(await redis.command(['HGETALL', keys.nodes]));
  const live = Object.entries(nodes).filter(([, text]) => Date.now() - Date.parse(String((JSON.parse(String(text)) as { at?: string }).at)) < LIVE_NODE_MS).map(([node]) => node);
  const deadline = Date.now() + timeoutMs;
  let reports: Reports['reports'] = {};
  for (;;) {
    reports = Object.fromEntries(Object.entries(parsePairs(await redis.command(['HGETALL', keys.report(id)]))).map(([node, text]) => [node, JSON.parse(String(text)) as { ok: boolean }]));
    if (live.every((node) => node in reports) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { reports, missing: live.filter((node) => !(node in reports)), refused: Object.entries(reports).filter(([, report]) => !report.ok).map(([node]) => node) };
}

/**
 * Prints each node's report; exit 0 only when all applied it. A deploy some node refused is
 * rolled back at once (`rolledBack`: the rollback's entry), so the fleet — and a node that starts
 * later — runs one version, the previous one, rather than a mix.
 */
async function awaitReports(redis: FleetRedis, keys: FleetKeys, publisher: FleetPublisher, entry: Record<string, unknown> & { published: string; op: string; hook: string }, timeoutMs: number): Promise<number> {
  const { reports, missing, refused } = await collectReports(redis, keys, entry.published, timeoutMs);
  const ok = missing.length === 0 && refused.length === 0;
  let rolledBack: string | undefined;
  if (entry.op === 'deploy' && refused.length > 0) {
    rolledBack = (await publisher.rollback(entry.hook)).id;
  }
  print({ ...entry, ok, reports, ...(missing.length === 0 ? {} : { missing }), ...(rolledBack === undefined ? {} : { rolledBack }) });
  return ok ? 0 : 1;
}

async function fleetStatus(redis: FleetRedis, keys: FleetKeys): Promise<unknown> {
  const decode = (raw: unknown): Record<string, unknown> => Object.fromEntries(Object.entries(parsePairs(raw)).map(([k, v]) => [k, JSON.parse(String(v)) as unknown]));
  const info = await redis.command(['XINFO', 'STREAM', keys.stream]).catch(() => null);
  const stream = parsePairs(info);
  return {
    stream: { key: keys.stream, length: stream['length'] ?? 0, lastId: stream['last-generated-id'] ?? null },
    nodes: decode(await redis.command(['HGETALL', keys.nodes])),
    hooks: decode(await redis.command(['HGETALL', keys.hooks])),
  };
}

function print(value: unknown): number {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  return 0;
}
