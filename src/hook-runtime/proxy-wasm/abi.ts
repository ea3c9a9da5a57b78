/**
 * The proxy-wasm ABI's numbers and names (spec: proxy-wasm/spec abi-versions/v0.2.1, "Types"),
 * in one place so the host functions, the instance and the docs agree. v0.2.0 modules (the
 * AssemblyScript SDK, older Rust and C++ SDKs) use the same callbacks and host functions edgehook
 * implements, so both markers are accepted.
 */

/** Exports that mark a module as a proxy-wasm filter, and the ABI each names. */
export const ABI_MARKERS: Readonly<Record<string, string>> = Object.freeze({
  proxy_abi_version_0_2_1: '0.2.1',
  proxy_abi_version_0_2_0: '0.2.0',
});

/** proxy_status_t */
export const Status = {
  Ok: 0,
  NotFound: 1,
  BadArgument: 2,
  SerializationFailure: 3,
  ParseFailure: 4,
  InvalidMemoryAccess: 6,
  Empty: 7,
  CasMismatch: 8,
  InternalFailure: 10,
  Unimplemented: 12,
} as const;

/** proxy_action_t (SDKs also return StopAllIterationAndBuffer = 3 and …AndWatermark = 4: pauses too). */
export const Action = { Continue: 0, Pause: 1 } as const;

/** proxy_map_type_t */
export const MapType = {
  RequestHeaders: 0,
  RequestTrailers: 1,
  ResponseHeaders: 2,
  ResponseTrailers: 3,
} as const;

/** proxy_buffer_type_t */
export const BufferType = {
  RequestBody: 0,
  ResponseBody: 1,
  VmConfiguration: 6,
  PluginConfiguration: 7,
} as const;
/** Buffer ids the spec defines (0..8); anything above is BAD_ARGUMENT, the rest NOT_FOUND here. */
export const BUFFER_TYPE_MAX = 8;

/** proxy_stream_type_t */
export const StreamType = { Request: 0, Response: 1, Downstream: 2, Upstream: 3 } as const;

/** proxy_metric_type_t */
export const MetricType = { Counter: 0, Gauge: 1, Histogram: 2 } as const;
export type MetricKind = 'counter' | 'gauge' | 'histogram';
export const METRIC_KINDS: readonly MetricKind[] = ['counter', 'gauge', 'histogram'];

/** proxy_log_level_t, TRACE..CRITICAL; edgehook's logger has debug..error. */
export const LOG_LEVELS = ['debug', 'debug', 'info', 'warn', 'error', 'error'] as const;
/** The proxy_log_level_t a filter is told for edgehook's level (proxy_get_log_level). */
export const PROXY_LOG_LEVEL = { debug: 1, info: 2, warn: 3, error: 4 } as const;

/** wasi_errno_t */
export const Errno = { Success: 0, Badf: 8, Fault: 21, Inval: 28, Notsup: 58 } as const;

/** The plugin (root) context every instance creates first; stream contexts count up from it. */
export const ROOT_CONTEXT_ID = 1;

/**
 * Host functions edgehook answers `UNIMPLEMENTED` (12): what a caching node cannot offer a filter
 * on its request path. Any other `env.proxy_*` import a module declares gets the same answer, so a
 * filter built against a newer ABI still loads; docs/proxy-wasm.md lists them.
 */
export const UNIMPLEMENTED_FUNCTIONS: readonly string[] = [
  'proxy_http_call', 'proxy_grpc_call', 'proxy_grpc_stream', 'proxy_grpc_send', 'proxy_grpc_cancel',
  'proxy_grpc_close', 'proxy_get_status', 'proxy_set_tick_period_milliseconds', 'proxy_register_shared_queue',
  'proxy_resolve_shared_queue', 'proxy_enqueue_shared_queue', 'proxy_dequeue_shared_queue', 'proxy_set_property',
  'proxy_call_foreign_function', 'proxy_close_stream', 'proxy_clear_route_cache',
];
