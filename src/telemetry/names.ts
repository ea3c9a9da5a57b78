/**
 * Every span, attribute and metric name edgehook emits, in one file, so dashboards and alerts
 * have one place to look and a rename is one diff. Attribute keys follow the OpenTelemetry
 * semantic conventions (HTTP, stable since semconv 1.23) where one exists; edgehook's own live
 * under `edgehook.`. Kept as plain strings so the core needs only `@opentelemetry/api`; a unit
 * test checks them against `@opentelemetry/semantic-conventions`.
 */
import type { PhaseName } from '../pipeline/hook-seam.ts';

/** Instrumentation scope of the tracer and the meter. */
export const INSTRUMENTATION_SCOPE = 'edgehook';

export const SPAN = {
  /** SERVER span name when the method is not a known HTTP method (semconv: "HTTP"). */
  httpOther: 'HTTP',
  cacheLookup: 'cache lookup',
  cacheStore: 'cache store',
  imageTransform: 'image transform',
  /** One span per hook phase, parent of the spans of the hooks run in it. */
  phase: {
    'on-request': 'hooks on-request',
    'on-origin-response': 'hooks on-origin-response',
    'on-response': 'hooks on-response',
  } satisfies Record<PhaseName, string>,
  /** A hook call's span is this prefix and the hook's configured name (bounded by config). */
  hookPrefix: 'hook ',
} as const;

/** Span event names. */
export const EVENT = {
  /** A failed hook call: its code, message and (JS guests) the author's stack. */
  exception: 'exception',
} as const;

export const ATTR = {
  // HTTP semantic conventions
  httpRequestMethod: 'http.request.method',
  httpRequestMethodOriginal: 'http.request.method_original',
  httpResponseStatusCode: 'http.response.status_code',
  urlPath: 'url.path',
  urlScheme: 'url.scheme',
  urlFull: 'url.full',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  clientAddress: 'client.address',
  networkPeerAddress: 'network.peer.address',
  userAgentOriginal: 'user_agent.original',
  errorType: 'error.type',
  // exception semantic conventions (the `exception` span event)
  exceptionType: 'exception.type',
  exceptionMessage: 'exception.message',
  exceptionStacktrace: 'exception.stacktrace',
  // edgehook
  /** The Cache-Status response header (RFC 9211) as sent. */
  cacheStatus: 'edgehook.cache.status',
  /** How the response was produced: hit, stale, revalidated, miss, pass, local, error. */
  cacheResult: 'edgehook.cache.result',
  /** What the lookup found: hit, miss or vary-miss (freshness is decided after). */
  cacheLookup: 'edgehook.cache.lookup',
  cacheStored: 'edgehook.cache.stored',
  cacheNotStoredReason: 'edgehook.cache.not_stored_reason',
  cacheObjectBytes: 'edgehook.cache.object_bytes',
  /** This request waited on another request's origin fetch (collapsed). */
  collapsed: 'edgehook.collapsed',
  /** Names of the hooks bound to the request's route. */
  routeHooks: 'edgehook.route.hooks',
  hookName: 'edgehook.hook.name',
  hookSha256: 'edgehook.hook.sha256',
  hookPhase: 'edgehook.hook.phase',
  /** continue, respond, or error (the on_error policy then decided the answer). */
  hookVerdict: 'edgehook.hook.verdict',
  hookErrorCode: 'edgehook.hook.error_code',
  /** Hook log lines become events on the hook's span: named by the message, with the level and fields. */
  hookLogLevel: 'edgehook.hook.log.level',
  /** Prefix of a hook log line's own fields (`edgehook.hook.log.field.user`). */
  hookLogFieldPrefix: 'edgehook.hook.log.field.',
  transformKind: 'edgehook.transform.kind',
  transformOutcome: 'edgehook.transform.outcome',
} as const;

/**
 * Every metric, by its one OpenTelemetry name: what OTLP carries, and what admin /metrics shows as
 * OpenTelemetry's Prometheus serializer writes it — dots become underscores and counters take
 * `_total` (`edgehook.cache.size` → `edgehook_cache_size`, `edgehook.responses` →
 * `edgehook_responses_total`); units stay in the `# UNIT` line, not the name. The semantic
 * conventions' names where one fits (HTTP durations, connections and active requests, the
 * process and Node.js runtime figures); edgehook's own under `edgehook.`.
 */
export const METRIC = {
  buildInfo: 'edgehook.build.info',
  // The process (with workers: summed over them; the loop delay is the worst worker's).
  processCpu: 'process.cpu.time',
  processMemory: 'process.memory.usage',
  eventLoopDelay: 'nodejs.eventloop.delay.p99',
  requestsInFlight: 'http.server.active_requests',
  clientConnections: 'edgehook.client.connections',
  // Client responses, by cache outcome.
  responses: 'edgehook.responses',
  hitRatio: 'edgehook.cache.hit_ratio',
  responseBytes: 'edgehook.response.body.size',
  /** semconv: HTTP server request duration (here by edgehook's cache outcome). */
  requestDuration: 'http.server.request.duration',
  ttfb: 'edgehook.response.ttfb',
  collapsed: 'edgehook.collapsed_requests',
  clientCuts: 'edgehook.client.cuts',
  shed: 'edgehook.shed_requests',
  // The origin and the shield tier.
  /** semconv: HTTP client request duration, here the origin fetch up to its response head. */
  originDuration: 'http.client.request.duration',
  /** semconv: connections undici's pools hold to the origin (and parents), active or idle. */
  originConnections: 'http.client.open_connections',
  originErrors: 'edgehook.origin.errors',
  parentEvents: 'edgehook.parent.events',
  // The cache store, per tier (memory; disk when configured).
  cacheSize: 'edgehook.cache.size',
  cacheMaxSize: 'edgehook.cache.max_size',
  cacheEntries: 'edgehook.cache.entries',
  cacheMaxEntries: 'edgehook.cache.max_entries',
  cacheEvictions: 'edgehook.cache.evictions',
  cacheFaults: 'edgehook.cache.faults',
  // Hooks, and the metrics proxy-wasm filters define (the filter's metric name is the `name` attribute).
  hookCalls: 'edgehook.hook.calls',
  hookErrors: 'edgehook.hook.errors',
  hookDuration: 'edgehook.hook.duration',
  hookCircuit: 'edgehook.hook.circuit.state',
  hookBodySkips: 'edgehook.hook.body_skips',
  hookLogLinesDropped: 'edgehook.hook.log_lines_dropped',
  filterCounter: 'edgehook.filter.counter',
  filterGauge: 'edgehook.filter.gauge',
  filterHistogram: 'edgehook.filter.histogram',
  filterRefusals: 'edgehook.filter.bound_refusals',
  transforms: 'edgehook.transforms',
  transformDuration: 'edgehook.transform.duration',
  /** A node with workers (its primary): workers serving and wanted, replacements. */
  workers: 'edgehook.workers',
  workerRestarts: 'edgehook.worker.restarts',
  /** Fleet coordination on Redis (src/fleet), from whichever process follows the stream. */
  fleetConnected: 'edgehook.fleet.connected',
  fleetLastApplied: 'edgehook.fleet.last_applied_time',
  fleetApplied: 'edgehook.fleet.entries_applied',
  fleetDeploysRefused: 'edgehook.fleet.deploys_refused',
  fleetGaps: 'edgehook.fleet.gaps',
  fleetDeploy: 'edgehook.fleet.deploy_info',
} as const;

/**
 * Metric attribute keys: short ones of edgehook's own (as Prometheus labels too), and the semantic
 * conventions' where a semconv metric asks for them (`server.address` → label `server_address`).
 */
export const LABEL = {
  cache: 'cache',
  statusClass: 'status_class',
  code: 'code',
  hook: 'hook',
  /** A proxy-wasm filter's own metric name. */
  name: 'name',
  /** What a bound refused (`shared-data`, `metrics`). */
  what: 'what',
  phase: 'phase',
  state: 'state',
  kind: 'kind',
  outcome: 'outcome',
  reason: 'reason',
  parent: 'parent',
  event: 'event',
  tier: 'tier',
  fault: 'fault',
  version: 'version',
  nodeVersion: 'node_version',
  /** Fleet: an entry's op, a deploy's stream id and module digest. */
  op: 'op',
  id: 'id',
  sha256: 'sha256',
  /** semconv: `active` or `idle` (http.client.open_connections). */
  httpConnectionState: 'http.connection.state',
  serverAddress: 'server.address',
  serverPort: 'server.port',
} as const;

/** A cache tier's fault counters (CacheFaultCounts) by their label value, `fault="write_failed"`. */
export const TIER_FAULT_LABELS = {
  refused: 'refused',
  corrupt: 'corrupt',
  dropped: 'backlog',
  writeFailures: 'write_failed',
  skipped: 'skipped',
} as const;
