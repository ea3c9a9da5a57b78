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

/** Prometheus text exposition names (admin /metrics). */
export const PROM = {
  responses: 'edgehook_responses_total',
  hitRatio: 'edgehook_cache_hit_ratio',
  responseBytes: 'edgehook_response_body_bytes_total',
  originLatency: 'edgehook_origin_latency_seconds',
  originErrors: 'edgehook_origin_errors_total',
  collapsed: 'edgehook_collapsed_requests_total',
  clientCuts: 'edgehook_client_cuts_total',
  shed: 'edgehook_shed_requests_total',
  /** The shield tier (src/origin/parent-tier.ts): ejections, readmissions and failovers per parent. */
  parentEvents: 'edgehook_parent_events_total',
  cacheBytes: 'edgehook_cache_bytes',
  cacheMaxBytes: 'edgehook_cache_max_bytes',
  cacheEntries: 'edgehook_cache_entries',
  cacheEvictions: 'edgehook_cache_evictions_total',
  tierBytes: 'edgehook_cache_tier_bytes',
  tierMaxBytes: 'edgehook_cache_tier_max_bytes',
  tierEntries: 'edgehook_cache_tier_entries',
  tierFaults: 'edgehook_cache_tier_faults_total',
  hookCalls: 'edgehook_hook_calls_total',
  hookErrors: 'edgehook_hook_errors_total',
  hookDuration: 'edgehook_hook_duration_seconds',
  hookCircuit: 'edgehook_hook_circuit_state',
  /** Hooks not called for a body over their bound (body.overflow: pass), per hook and phase. */
  hookBodySkips: 'edgehook_hook_body_skips_total',
  /** Metrics proxy-wasm filters define: the filter's metric name is the `name` label. */
  filterCounter: 'edgehook_filter_counter_total',
  filterGauge: 'edgehook_filter_gauge',
  filterHistogram: 'edgehook_filter_histogram',
  filterRefusals: 'edgehook_filter_bound_refusals_total',
  transforms: 'edgehook_transforms_total',
  transformDuration: 'edgehook_transform_duration_seconds',
  /** Issue 13: the process (summed over a node's workers; the loop delay is the worst worker's). */
  buildInfo: 'edgehook_build_info',
  requestDuration: 'edgehook_request_duration_seconds',
  ttfb: 'edgehook_ttfb_seconds',
  processCpu: 'edgehook_process_cpu_seconds_total',
  processResident: 'edgehook_process_resident_memory_bytes',
  eventLoopDelay: 'edgehook_event_loop_delay_seconds',
  requestsInFlight: 'edgehook_requests_in_flight',
  clientConnections: 'edgehook_client_connections',
  /** A node with workers (its primary renders these): workers serving and wanted, replacements. */
  workers: 'edgehook_workers',
  workerRestarts: 'edgehook_worker_restarts_total',
  /** Fleet coordination on Redis (src/fleet): rendered by whichever process follows the stream. */
  fleetConnected: 'edgehook_fleet_connected',
  fleetLastApplied: 'edgehook_fleet_last_applied_timestamp_seconds',
  fleetApplied: 'edgehook_fleet_entries_applied_total',
  fleetDeploysRefused: 'edgehook_fleet_deploys_refused_total',
  fleetGaps: 'edgehook_fleet_gaps_total',
  fleetDeploy: 'edgehook_fleet_deploy_info',
} as const;

/** OpenTelemetry instrument names (what an OTLP metrics exporter sends). */
export const METRIC = {
  responses: 'edgehook.responses',
  hitRatio: 'edgehook.cache.hit_ratio',
  responseBytes: 'edgehook.response.body.size',
  /** semconv: HTTP client request duration, here the origin fetch up to its response head. */
  originDuration: 'http.client.request.duration',
  /** semconv: HTTP server request duration (here by edgehook's cache outcome). */
  requestDuration: 'http.server.request.duration',
  ttfb: 'edgehook.response.ttfb',
  processCpu: 'edgehook.process.cpu.time',
  processMemory: 'edgehook.process.memory.usage',
  eventLoopDelay: 'edgehook.event_loop.delay',
  requestsInFlight: 'edgehook.requests.in_flight',
  clientConnections: 'edgehook.client.connections',
  originErrors: 'edgehook.origin.errors',
  collapsed: 'edgehook.collapsed_requests',
  clientCuts: 'edgehook.client.cuts',
  shed: 'edgehook.shed_requests',
  parentEvents: 'edgehook.parent.events',
  cacheBytes: 'edgehook.cache.size',
  cacheMaxBytes: 'edgehook.cache.max_size',
  cacheEntries: 'edgehook.cache.entries',
  cacheEvictions: 'edgehook.cache.evictions',
  tierSize: 'edgehook.cache.tier.size',
  tierMaxSize: 'edgehook.cache.tier.max_size',
  tierEntries: 'edgehook.cache.tier.entries',
  tierFaults: 'edgehook.cache.tier.faults',
  hookCalls: 'edgehook.hook.calls',
  hookErrors: 'edgehook.hook.errors',
  hookDuration: 'edgehook.hook.duration',
  hookCircuit: 'edgehook.hook.circuit.state',
  hookBodySkips: 'edgehook.hook.body_skips',
  filterCounter: 'edgehook.filter.counter',
  filterGauge: 'edgehook.filter.gauge',
  filterHistogramSum: 'edgehook.filter.histogram.sum',
  filterHistogramCount: 'edgehook.filter.histogram.count',
  filterRefusals: 'edgehook.filter.bound_refusals',
  transforms: 'edgehook.transforms',
  transformDuration: 'edgehook.transform.duration',
} as const;

/** Metric attribute (label) keys; Prometheus labels use the short names. */
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
  le: 'le',
} as const;

/** A cache tier's fault counters (CacheFaultCounts) by their label value, `fault="write_failed"`. */
export const TIER_FAULT_LABELS = {
  refused: 'refused',
  corrupt: 'corrupt',
  dropped: 'backlog',
  writeFailures: 'write_failed',
  skipped: 'skipped',
} as const;
