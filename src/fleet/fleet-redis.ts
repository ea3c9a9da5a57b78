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
import { createClient, RESP_TYPES, type RedisClientType } from '@redis/client';
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

export async function connectFleetRedis(url: string, logger: Logger, name: string): Promise<FleetRedis> {
  const client: RedisClientType = createClient({
    url,
    name: `edgehook-${name}`,
    // RESP2: flat arrays for XREAD, HGETALL and XINFO, which parse* below read (v6 defaults to RESP3).
    RESP: 2,
    socket: {
      connectTimeout: 5_000,
      reconnectStrategy: (retries) => Math.min(MAX_RECONNECT_MS, 100 * 2 ** Math.min(retries, 10)),
    },
  }) as unknown as RedisClientType;
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn('fleet: Redis unreachable; retrying', { code: FLEET_LOG_CODES.unreachable, connection: name, error: error.message });
  });
  client.on('ready', () => {
    if (down) logger.info('fleet: Redis reachable again', { code: FLEET_LOG_CODES.reconnected, connection: name });
    down = false;
  });
  // The first connection may also fail: the node starts anyway and the client keeps retrying.
  client.connect().catch(() => undefined);
  return {
    command: (args, options = {}) => client.sendCommand([...args], options.signal === undefined ? {} : { abortSignal: options.signal }),
    bytes: (key) => client.sendCommand<Buffer | null>(['GET', key], { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } }),
    get ready() {
      return client.isReady;
    },
    async close() {
      // destroy(), not close(): a blocked XREAD would hold close() until its timeout.
      if (client.isOpen) client.destroy();
    },
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
