/**
 * The fleet's connections to Redis, through node-redis (@redis/client): the official client,
 * typed, dependency-free, with TLS (rediss://) and Sentinel in the same package (ioredis, the
 * other candidate, is in maintenance). Commands go through `sendCommand` with the raw RESP2
 * replies parsed here, so the few commands the fleet uses read the same across client versions.
 *
 * A connection reconnects on its own (100 ms doubling to 5 s); commands sent meanwhile wait in
 * the client's queue. The first error of an outage is logged, not each retry. XREAD BLOCK holds
 * its connection, so a follower has one of its own beside the one it writes reports on.
 */
import { createClient, createSentinel, RESP_TYPES, type RedisClientType } from '@redis/client';
import type { CommandOptions } from '@redis/client/dist/lib/client/commands-queue.js';
import type { SentinelConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { FLEET_LOG_CODES } from './fleet-log-codes.ts';

export type RedisArg = string | Buffer;

export interface FleetRedis {
  /** One command; the RESP2 reply (strings, numbers, arrays, null). */
  command(args: readonly RedisArg[], options?: { signal?: AbortSignal }): Promise<unknown>;
  /** GET as bytes (null when absent). */
  bytes(key: string): Promise<Buffer | null>;
  /** Whether the connection is up now. */
  readonly ready: boolean;
  close(): Promise<void>;
}

/** Reconnect delays: 100 ms doubling to this. */
const MAX_RECONNECT_MS = 5_000;
const reconnectStrategy = (retries: number): number => Math.min(MAX_RECONNECT_MS, 100 * 2 ** Math.min(retries, 10));

/** Where the fleet's Redis is: a URL, or the sentinels that know its master (fleet.sentinel). */
export interface FleetEndpoint {
  readonly redis: string;
  readonly sentinel?: SentinelConfig | null;
}

/** What both kinds of client give: commands and readiness. */
interface CommandClient {
  send(args: RedisArg[], options: CommandOptions): Promise<unknown>;
  readonly ready: boolean;
  destroy(): void;
}

export async function connectFleetRedis(endpoint: FleetEndpoint | string, logger: Logger, name: string): Promise<FleetRedis> {
  const { redis: url, sentinel = null } = typeof endpoint === 'string' ? { redis: endpoint } : endpoint;
  let down = false;
  const failed = (error: Error): void => {
    if (down) return;
    down = true;
    logger.warn('fleet: Redis unreachable; retrying', { code: FLEET_LOG_CODES.unreachable, connection: name, error: error.message });
  };
  const recovered = (): void => {
    if (down) logger.info('fleet: Redis reachable again', { code: FLEET_LOG_CODES.reconnected, connection: name });
    down = false;
  };
  const client = sentinel === null ? directClient(url, name, failed, recovered) : sentinelClient(url, sentinel, name, failed, recovered);
  return {
    command: (args, options = {}) => client.send([...args], options.signal === undefined ? {} : { abortSignal: options.signal }),
    bytes: async (key) => (await client.send(['GET', key], { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } })) as Buffer | null,
    get ready() {
      return client.ready;
    },
    async close() {
      // destroy(), not close(): a blocked XREAD would hold close() until its timeout.
      client.destroy();
    },
  };
}

function directClient(url: string, name: string, failed: (error: Error) => void, recovered: () => void): CommandClient {
  const client: RedisClientType = createClient({
    url,
    name: `edgehook-${name}`,
    // RESP2: flat arrays for XREAD, HGETALL and XINFO, which parse* below read (v6 defaults to RESP3).
    RESP: 2,
    socket: { connectTimeout: 5_000, reconnectStrategy },
  }) as unknown as RedisClientType;
  client.on('error', failed);
  client.on('ready', recovered);
  // The first connection may also fail: the node starts anyway and the client keeps retrying.
  client.connect().catch(() => undefined);
  return {
    send: (args, options) => client.sendCommand(args, options),
    get ready() {
      return client.isReady;
    },
    destroy: () => {
      if (client.isOpen) client.destroy();
    },
  };
}

/**
 * Through Redis Sentinel: node-redis asks the sentinels for the master and, after a failover,
 * for the new one; commands wait meanwhile (measured here: ~3.5 s with down-after 1 s). One
 * master connection per client (masterPoolSize 1), so a blocked XREAD holds only its own.
 */
function sentinelClient(url: string, sentinel: SentinelConfig, name: string, failed: (error: Error) => void, recovered: () => void): CommandClient {
  const parsed = new URL(url);
  const database = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  const client = createSentinel({
    name: sentinel.master,
    sentinelRootNodes: sentinel.nodes.map(({ host, port }) => ({ host, port })),
    RESP: 2,
    masterPoolSize: 1,
    nodeClientOptions: {
      name: `edgehook-${name}`,
      ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
      ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
      ...(database === undefined ? {} : { database }),
      socket: { connectTimeout: 5_000, reconnectStrategy, ...(parsed.protocol === 'rediss:' ? { tls: true as const } : {}) },
    },
  });
  client.on('error', failed);
  client.connect().then(recovered, failed);
  return {
    send: async (args, options) => {
      const reply = await client.sendCommand(false, args, options);
      recovered();
      return reply;
    },
    get ready() {
      return client.isReady;
    },
    destroy: () => void client.destroy().catch(() => undefined),
  };
}

/** XREAD/XRANGE replies: [[stream, [[id, [field, value, …]], …]]] → entries with their fields. */
export interface StreamEntry {
  readonly id: string;
  readonly fields: Readonly<Record<string, string>>;
}

export function parseEntries(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item: unknown) => {
    if (!Array.isArray(item) || typeof item[0] !== 'string' || !Array.isArray(item[1])) return [];
    const flat = item[1] as unknown[];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
    return [{ id: item[0], fields }];
  });
}

/** XREAD's reply for one stream: its entries. */
export function parseXread(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw) || raw.length === 0) return [];
  const first = raw[0] as unknown;
  return Array.isArray(first) ? parseEntries(first[1]) : [];
}

/** A flat [k, v, k, v] reply (HGETALL, XINFO) as a record. */
export function parsePairs(raw: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(raw)) return out;
  for (let i = 0; i + 1 < raw.length; i += 2) out[String(raw[i])] = raw[i + 1];
  return out;
}
