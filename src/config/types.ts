/**
 * The validated configuration as the rest of edgehook sees it: camelCase keys, sizes in bytes,
 * durations in milliseconds, null for "none / off / unlimited", deeply frozen. Declared by hand
 * for readability; schema.ts fails to compile if the schema ever produces anything else.
 * Defaults and meanings live in schema.ts (and docs/configuration.md, generated from it).
 */
import type { LogConfig } from './log-schema.ts';
import type { ByteCount, Millis } from './dsl/units.ts';
import type { FleetConfig, SentinelConfig } from './fleet-schema.ts';
import type { CacheKeyConfig, GeoConfig } from './geo-schema.ts';
import type { HookConfig } from './hooks-schema.ts';
import type { ImageConfig } from './image-schema.ts';
import type { HostPort } from './parse-host-port.ts';
import type { SliceConfig } from './slice-schema.ts';
import type { ParentConfig, UpstreamConfig } from './upstream-schema.ts';
import type { MetricsConfig, TelemetryConfig, TracesConfig } from './telemetry-schema.ts';
import type { WorkersSetting } from './workers-schema.ts';

export type {
  ByteCount, FleetConfig, HookConfig, HostPort, Millis, MetricsConfig, ParentConfig, SentinelConfig, SliceConfig, TelemetryConfig, TracesConfig,
  UpstreamConfig, WorkersSetting,
};

export interface EdgehookConfig {
  readonly origin: OriginConfig;
  /** The shield tier: parent nodes asked before the origin; no parents = none. */
  readonly upstream: UpstreamConfig;
  readonly listen: HostPort;
  /** null when the admin server is off (`admin: false`, `--admin off`). */
  readonly admin: AdminConfig | null;
  /** Worker processes; 'auto' = one per usable CPU, resolved at start (src/cluster/worker-count.ts). */
  readonly workers: WorkersSetting;
  readonly cache: CacheConfig;
  readonly limits: LimitsConfig;
  readonly proxy: ProxyConfig;
  readonly log: LogConfig;
  readonly hooks: readonly HookConfig[];
  /** Where prepared hook modules are cached (absolute); null = <cwd>/.cache. */
  readonly hookCacheDir: string | null;
  readonly telemetry: TelemetryConfig;
  readonly geo: GeoConfig;
  readonly image: ImageConfig;
  /** Fleet coordination on Redis (src/fleet); null = off. */
  readonly fleet: FleetConfig | null;
}

export interface OriginConfig {
  /** http(s) base URL as written; a path prefix is allowed, a query or fragment is not. */
  readonly url: string;
  readonly connectTimeout: Millis;
  readonly headersTimeout: Millis;
  readonly bodyTimeout: Millis;
  readonly keepAliveTimeout: Millis;
  /** Maximum connections to the origin. */
  readonly connections: number;
  /** Fetches that may wait for a connection; more are shed with 503. */
  readonly maxQueue: number;
  /** preserve: forward the client's Host; origin: send the origin URL's host. */
  readonly hostHeader: 'preserve' | 'origin';
}

export interface AdminConfig extends HostPort {
  /** Bearer token the admin API requires; from `token` or the `token_env` variable read at load. */
  readonly token: string | null;
}

export interface CacheConfig {
  readonly memory: MemoryCacheConfig;
  /** null = no disk tier. */
  readonly disk: DiskCacheConfig | null;
  /** Larger responses are passed through, not stored. */
  readonly maxObjectBytes: ByteCount;
  /** Freshness for responses without explicit freshness information; null = none (heuristics only). */
  readonly defaultTtl: Millis | null;
  readonly storeSetCookie: boolean;
  /** RFC 9213 target list: lowercase field names, first present and valid wins over Cache-Control. */
  readonly targetedCacheControl: readonly string[];
  readonly ignoreClientNoCache: boolean;
  /** Heuristic freshness = this fraction of (Date - Last-Modified), capped at heuristicMax. */
  readonly heuristicFraction: number;
  readonly heuristicMax: Millis;
  /** Flow control of a shared cache fill (src/pipeline/shared-body.ts). */
  readonly fill: { readonly pauseOriginLag: ByteCount; readonly maxReaderLag: ByteCount };
  /** How long an uncacheable URL's requests skip collapsing (src/pipeline/uncacheable-memory.ts); null = off. */
  readonly hitForMiss: Millis | null;
  /** Most requests that may wait on one in-flight origin fetch (request collapsing). */
  readonly collapseMaxWaiters: number;
  /** How long a worker waits on another worker's fill of the same object (src/cache/fill-lease.ts); null = never. */
  readonly peerFillWait: Millis | null;
  /** Cache name in the Cache-Status response header. */
  readonly name: string;
  readonly sortQuery: boolean;
  /** Cache key parts added without a hook (geo). */
  readonly key: CacheKeyConfig;
  /** Objects fetched and stored in byte-range slices (src/pipeline/slice-flow.ts); null = off. */
  readonly slice: SliceConfig | null;
}

export interface MemoryCacheConfig {
  readonly maxBytes: ByteCount;
  readonly maxEntries: number;
}

export interface DiskCacheConfig {
  /** Absolute when the config came from a file (relative paths are resolved against its directory). */
  readonly path: string;
  readonly maxBytes: ByteCount;
  /** Pause of disk storing after a failed write (a full disk), before the next try. */
  readonly writeRetry: Millis;
}

export interface LimitsConfig {
  readonly maxHeaderBytes: ByteCount;
  readonly maxHeaders: number;
  readonly maxUriBytes: ByteCount;
  /** null = unlimited. */
  readonly maxBodyBytes: ByteCount | null;
  readonly clientIdleTimeout: Millis;
  readonly requestHeadTimeout: Millis;
  /** Load shedding (src/server/load-shedding.ts); null = off. */
  readonly maxInFlight: number | null;
  readonly maxEventLoopDelay: Millis | null;
  /** Bytes per second; null = no minimum (src/server/slow-clients.ts). */
  readonly minUploadRate: ByteCount | null;
  readonly minDownloadRate: ByteCount | null;
  readonly rateWindow: Millis;
  readonly requestBodyTimeout: Millis | null;
  readonly shutdownGrace: Millis;
  /** Which connections get the second look at chunk framing (src/server/chunk-framing.ts). */
  readonly verifyChunkFraming: 'always' | 'trusted-peers' | 'never';
}

export interface ProxyConfig {
  /** Normalized to address/prefix ("10.0.0.0/8", "192.0.2.1/32"). */
  readonly trustedProxies: readonly string[];
  /** Pseudonym in the Via header edgehook adds. */
  readonly via: string;
  readonly addForwardedHeaders: boolean;
  readonly cdnLoop: CdnLoopConfig;
  /** drop: removed before hooks, Vary, the cache key and the origin see them; reject: 400. */
  readonly headersWithUnderscores: 'drop' | 'reject' | 'allow';
  readonly mergeSlashes: boolean;
  /** What %2F and %5C in a request path do: 400, forwarded as data, or decoded to `/`. */
  readonly pathWithEscapedSlashes: 'reject' | 'keep' | 'decode';
}

export interface CdnLoopConfig {
  /** Appended to CDN-Loop on origin requests (RFC 8586). */
  readonly cdnId: string;
  /** More occurrences of cdnId in an incoming CDN-Loop is a loop (508). */
  readonly maxAllowedOccurrences: number;
}

export type { LogConfig };
