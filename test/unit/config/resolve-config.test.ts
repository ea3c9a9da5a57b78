import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { ConfigValidationError, formatIssue } from '../../../src/config/config-error.ts';
import { resolveConfig } from '../../../src/config/load.ts';
import type { EdgehookConfig } from '../../../src/config/types.ts';

const ORIGIN = { url: 'http://127.0.0.1:9001' };
const NO_ENV = { env: {} };

/** The problems resolveConfig reports for `raw`, formatted as in the error message. */
function problems(raw: unknown, env: Record<string, string> = {}): string[] {
  try {
    resolveConfig(raw, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as ConfigValidationError).issues.map(formatIssue);
  }
  throw new Error('expected the config to be rejected');
}

describe('resolveConfig defaults', () => {
  it('fills every key but origin.url with its documented default', () => {
    const expected: EdgehookConfig = {
      origin: {
        url: 'http://127.0.0.1:9001', connectTimeout: 5000, headersTimeout: 30_000, bodyTimeout: 30_000,
        keepAliveTimeout: 4000, connections: 128, maxQueue: 1024, hostHeader: 'preserve',
      },
      upstream: { parents: [], direct: true, ejectAfter: 3, ejectFor: 30_000, healthInterval: 2000, healthTimeout: 1000, connections: 128 },
      listen: { host: '127.0.0.1', port: 8080 },
      admin: { host: '127.0.0.1', port: 9090, token: null },
      workers: 1,
      cache: {
        memory: { maxBytes: 256 * 2 ** 20, maxEntries: 100_000 },
        disk: null,
        maxObjectBytes: 64 * 2 ** 20,
        defaultTtl: null,
        storeSetCookie: false,
        targetedCacheControl: ['edgehook-cache-control', 'cdn-cache-control'],
        ignoreClientNoCache: false,
        heuristicFraction: 0.1,
        heuristicMax: 86_400_000,
        fill: { pauseOriginLag: 2 ** 20, maxReaderLag: 16 * 2 ** 20 },
        hitForMiss: 120_000,
        collapseMaxWaiters: 1000,
        peerFillWait: 5000,
        name: 'edgehook',
        sortQuery: false,
        key: { geo: 'none' },
        slice: null,
      },
      limits: {
        maxHeaderBytes: 16_384, maxHeaders: 100, maxUriBytes: 8192, maxBodyBytes: null,
        clientIdleTimeout: 60_000, requestHeadTimeout: 10_000, shutdownGrace: 10_000, verifyChunkFraming: 'trusted-peers',
        maxInFlight: 10_000, maxEventLoopDelay: 500,
        minUploadRate: 1024, minDownloadRate: 1024, rateWindow: 20_000, requestBodyTimeout: null,
      },
      proxy: {
        trustedProxies: [], via: 'edgehook', addForwardedHeaders: true, cdnLoop: { cdnId: 'edgehook', maxAllowedOccurrences: 0 },
        headersWithUnderscores: 'drop', mergeSlashes: true, pathWithEscapedSlashes: 'reject',
      },
      log: { level: 'info', access: null, errorBurst: 10, errorWindow: 10_000 },
      hooks: [],
      hookCacheDir: null,
      telemetry: {
        serviceName: 'edgehook',
        traces: { exporter: 'none', endpoint: null, sampleRatio: 1 },
        metrics: { exporter: 'none', endpoint: null, interval: 60_000 },
      },
      geo: { database: 'geoip-lite', dataDir: null, overrides: [], groups: {}, defaultGroup: 'other' },
      image: {
        maxBytes: 20 * 2 ** 20,
        maxPixels: 40_000_000,
        transform: { maxWidth: 4096, maxHeight: 4096, defaultQuality: 80, negotiate: ['avif', 'webp'], concurrency: 0, maxQueue: 64, timeout: 10_000 },
        transformQuery: { pathPrefixes: [] },
      },
      fleet: null,
    };
    expect(resolveConfig({ origin: ORIGIN }, NO_ENV)).toEqual(expected);
  });

  it('returns a deeply frozen config', () => {
    const config = resolveConfig({ origin: ORIGIN, proxy: { trusted_proxies: ['10.0.0.0/8'] }, hooks: [{ name: 'a', module: '/a.wasm', phases: ['on-request'], config: { k: 'v' } }] }, NO_ENV);
    for (const value of [config, config.origin, config.cache.memory, config.proxy.trustedProxies, config.hooks, config.hooks[0], config.hooks[0]?.config, config.listen, config.admin]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
  });

  it('treats empty sections (`cache:` with nothing under it) as all defaults', () => {
    const config = resolveConfig({ origin: ORIGIN, cache: null, limits: null, listen: null, admin: null }, NO_ENV);
    expect(config.cache.memory.maxEntries).toBe(100_000);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.admin).toEqual({ host: '127.0.0.1', port: 9090, token: null });
  });
});

describe('resolveConfig accepts', () => {
  const cases: Array<[string, Record<string, unknown>, (c: EdgehookConfig) => unknown, unknown, Record<string, string>?]> = [
    ['an https origin with a path prefix', { origin: { url: 'https://origin.example/app' } }, (c) => c.origin.url, 'https://origin.example/app'],
    ['durations and sizes with units', { origin: { ...ORIGIN, connect_timeout: '1500ms', body_timeout: '1m30s' } }, (c) => [c.origin.connectTimeout, c.origin.bodyTimeout], [1500, 90_000]],
    ['a hook cache directory (issue 13)', { hook_cache_dir: '/var/cache/edgehook' }, (c) => c.hookCacheDir, '/var/cache/edgehook'],
    ['a bare 0 as a duration', { limits: { shutdown_grace: 0 } }, (c) => c.limits.shutdownGrace, 0],
    ['a bare number under a key named for its unit', { cache: { max_object_bytes: 4096 } }, (c) => c.cache.maxObjectBytes, 4096],
    ['a port alone as listen (issue 13)', { listen: 8080 }, (c) => c.listen, { host: '127.0.0.1', port: 8080 }],
    ['":PORT" as listen (issue 13)', { listen: ':8081' }, (c) => c.listen, { host: '127.0.0.1', port: 8081 }],
    ['listen as HOST:PORT', { listen: '0.0.0.0:80' }, (c) => c.listen, { host: '0.0.0.0', port: 80 }],
    ['listen on IPv6 port 0', { listen: '[::1]:0' }, (c) => c.listen, { host: '::1', port: 0 }],
    ['listen as a partial mapping', { listen: { port: 0 } }, (c) => c.listen, { host: '127.0.0.1', port: 0 }],
    ['admin: false', { admin: false }, (c) => c.admin, null],
    ['admin as HOST:PORT', { admin: '127.0.0.1:9999' }, (c) => c.admin, { host: '127.0.0.1', port: 9999, token: null }],
    ['admin with a token', { admin: { token: 's3cret' } }, (c) => c.admin?.token, 's3cret'],
    ['admin token from the environment', { admin: { token_env: 'EH_TOKEN' } }, (c) => c.admin?.token, 'from-env', { EH_TOKEN: 'from-env' }],
    ['admin beyond loopback with a token', { admin: { host: '0.0.0.0', token: 't' } }, (c) => c.admin?.host, '0.0.0.0'],
    ['a disk tier', { cache: { disk: { path: '/var/cache/edgehook' } } }, (c) => c.cache.disk, { path: '/var/cache/edgehook', maxBytes: 2 ** 30, writeRetry: 5000 }],
    ['a default TTL', { cache: { default_ttl: '5m' } }, (c) => c.cache.defaultTtl, 300_000],
    ['targeted fields, lowercased and deduplicated', { cache: { targeted_cache_control: ['Acme-CC', 'CDN-Cache-Control', 'acme-cc'] } }, (c) => c.cache.targetedCacheControl, ['acme-cc', 'cdn-cache-control']],
    ['no targeted fields', { cache: { targeted_cache_control: [] } }, (c) => c.cache.targetedCacheControl, []],
    ['slicing with the default size', { cache: { slice: { paths: ['/video/**'] } } }, (c) => c.cache.slice, { size: 2 ** 20, paths: ['/video/**'] }],
    ['slices as large as the object bound', { cache: { max_object_bytes: '8MiB', slice: { size: '8MiB', paths: ['/**/*.iso'] } } }, (c) => c.cache.slice?.size, 8 * 2 ** 20],
    ['a decimal body limit', { limits: { max_body_bytes: '10MB' } }, (c) => c.limits.maxBodyBytes, 10_000_000],
    ['an explicit unlimited body', { limits: { max_body_bytes: null } }, (c) => c.limits.maxBodyBytes, null],
    ['trusted proxies, normalized', { proxy: { trusted_proxies: ['10.0.0.0/8', '192.0.2.1', '::1'] } }, (c) => c.proxy.trustedProxies, ['10.0.0.0/8', '192.0.2.1/32', '::1/128']],
    ['log level', { log: { level: 'debug' } }, (c) => c.log.level, 'debug'],
    ['a number of workers', { workers: 4 }, (c) => c.workers, 4],
    ['workers: auto', { workers: 'auto' }, (c) => c.workers, 'auto'],
    ['peer fills not waited on', { cache: { peer_fill_wait: false } }, (c) => c.cache.peerFillWait, null],
    ['traces to a collector', { telemetry: { traces: { exporter: 'otlp-http', endpoint: 'http://127.0.0.1:4318', sample_ratio: 0.01 } } }, (c) => c.telemetry.traces, {
      exporter: 'otlp-http', endpoint: 'http://127.0.0.1:4318', sampleRatio: 0.01,
    }],
    ['metrics over gRPC every 15 s', { telemetry: { service_name: 'edge-eu1', metrics: { exporter: 'otlp-grpc', interval: '15s' } } }, (c) => [c.telemetry.serviceName, c.telemetry.metrics], [
      'edge-eu1', { exporter: 'otlp-grpc', endpoint: null, interval: 15_000 },
    ]],
    ['a hook with defaults', { hooks: [{ name: 'auth', module: '/hooks/auth.wasm', phases: ['on-request'] }] }, (c) => c.hooks, [{
      name: 'auth', module: '/hooks/auth.wasm', phases: ['on-request'], routes: [{}], on_error: 'closed',
      timeout_ms: 50, memory_mb: 16, body: { request: 0, response: 0, overflow: 'error' }, isolation: 'pooled',
    }]],
    ['a hook with every key', {
      hooks: [{
        name: 'img', module: 'https://hooks.example/i.wasm', sha256: 'a'.repeat(64), phases: ['on-origin-response', 'on-response'],
        routes: [{ host: 'CDN.example', path: '/images/**', methods: ['get'] }], config: { q: 80 },
        on_error: 'open', timeout_ms: '200ms', memory_mb: 128, body: { response: '1MiB', overflow: 'pass' }, isolation: 'per-request',
        circuit: { failures: 3, window_ms: '1s', cooldown_ms: '5s' },
      }],
    }, (c) => c.hooks[0], {
      name: 'img', module: 'https://hooks.example/i.wasm', sha256: 'a'.repeat(64), phases: ['on-origin-response', 'on-response'],
      routes: [{ host: 'cdn.example', path: '/images/**', methods: ['GET'] }], config: { q: 80 },
      on_error: 'open', timeout_ms: 200, memory_mb: 128, body: { request: 0, response: 1_048_576, overflow: 'pass' }, isolation: 'per-request',
      circuit: { failures: 3, window_ms: 1000, cooldown_ms: 5000 },
    }],
  ];

  it.each(cases)('%s', (_name, raw, select, expected, env = {}) => {
    expect(select(resolveConfig({ origin: ORIGIN, ...raw }, { env }))).toEqual(expected);
  });
});

describe('resolveConfig rejects', () => {
  const cases: Array<[string, unknown, string[], Record<string, string>?]> = [
    ['a config without an origin', {}, ['origin: expected a mapping, got nothing (the key is required)']],
    ['a root that is not a mapping', ['origin'], ['expected a mapping, got a list']],
    ['an origin without url', { origin: { connect_timeout: '1s' } }, ['origin.url: expected an http/https URL like "http://127.0.0.1:9001", got nothing (the key is required)']],
    ['a non-http origin', { origin: { url: 'ftp://x' } }, ['origin.url: expected an http/https URL like "http://127.0.0.1:9001", got "ftp://x"']],
    ['an origin with a query', { origin: { url: 'http://x/?a=1' } }, ['origin.url: expected an http/https URL like "http://127.0.0.1:9001" without a query or fragment, got "http://x/?a=1"']],
    ['zero origin connections', { origin: { ...ORIGIN, connections: 0 } }, ['origin.connections: expected an integer >= 1, got 0']],
    ['a fractional connection count', { origin: { ...ORIGIN, connections: 1.5 } }, ['origin.connections: expected an integer >= 1, got 1.5']],
    ['a misspelt enum value', { origin: { ...ORIGIN, host_header: 'orign' } }, ['origin.host_header: expected one of "preserve", "origin", got "orign" (did you mean "origin"?)']],
    ['a zero timeout', { origin: { ...ORIGIN, connect_timeout: '0s' } }, ['origin.connect_timeout: expected a duration of at least 1ms, got "0s"']],
    ['a timeout without a unit it knows', { origin: { ...ORIGIN, connect_timeout: '5 seconds' } }, ['origin.connect_timeout: expected a duration like "30s", got "5 seconds"']],
    ['listen as a fraction', { origin: ORIGIN, listen: 80.5 }, ['listen: expected a mapping or HOST:PORT, got 80.5']],
    // Issue 13: a bare number was read as milliseconds or bytes, which nobody who wrote it meant.
    ['a duration without a unit', { origin: ORIGIN, limits: { shutdown_grace: 10 } }, ['limits.shutdown_grace: expected a duration with its unit, got 10 (did you mean "10s"?)']],
    ['a long duration without a unit', { origin: { ...ORIGIN, headers_timeout: 2500 } }, ['origin.headers_timeout: expected a duration with its unit, got 2500 (did you mean "2500ms"?)']],
    ['a size without a unit', { origin: ORIGIN, limits: { min_upload_rate: 20 } }, ['limits.min_upload_rate: expected a size with its unit, got 20 (did you mean "20KiB" or "20B"?)']],
    ['a size without a unit, as text', { origin: ORIGIN, cache: { slice: { size: '65536', paths: ['/v/**'] } } }, ['cache.slice.size: expected a size with its unit, got "65536" (did you mean "65536B"?)']],
    ['listen without a port', { origin: ORIGIN, listen: 'localhost' }, ['listen: expected HOST:PORT like "127.0.0.1:8080", got "localhost"']],
    ['an out-of-range port', { origin: ORIGIN, listen: { port: 70_000 } }, ['listen.port: expected an integer from 0 to 65535, got 70000']],
    ['a bad listen host', { origin: ORIGIN, listen: { host: 'not a host' } }, ['listen.host: expected an IP address or host name, got "not a host"']],
    ['Cache-Control as a targeted field', { origin: ORIGIN, cache: { targeted_cache_control: ['cdn-cache-control', 'Cache-Control'] } }, ['cache.targeted_cache_control: expected targeted field names, got cache-control (it is always read by its own rules)']],
    ['a targeted field that is not a field name', { origin: ORIGIN, cache: { targeted_cache_control: ['cdn cache control'] } }, ['cache.targeted_cache_control[0]: expected a field name like "cdn-cache-control", got "cdn cache control"']],
    ['admin: true', { origin: ORIGIN, admin: true }, ['admin: expected a mapping or HOST:PORT or false, got true']],
    ['both token and token_env', { origin: ORIGIN, admin: { token: 'a', token_env: 'B' } }, ['admin.token_env: expected either token or token_env, got both']],
    ['an unset token_env', { origin: ORIGIN, admin: { token_env: 'EH_MISSING' } }, ['admin.token_env: expected environment variable EH_MISSING to hold the admin token, got an unset variable']],
    ['an empty token_env', { origin: ORIGIN, admin: { token_env: 'EH_EMPTY' } }, ['admin.token_env: expected environment variable EH_EMPTY to hold the admin token, got an empty one'], { EH_EMPTY: '' }],
    ['a token_env that is not a variable name', { origin: ORIGIN, admin: { token_env: 'my token' } }, ['admin.token_env: expected an environment variable name like "EDGEHOOK_ADMIN_TOKEN", got "my token"']],
    ['an open admin API without a token', { origin: ORIGIN, admin: { host: '0.0.0.0' } }, ['admin.token: expected a token or token_env because admin listens beyond loopback (on 0.0.0.0), got none']],
    ['admin on the client port', { origin: ORIGIN, admin: '127.0.0.1:8080' }, ['admin: expected an address other than listen, got 127.0.0.1:8080 for both']],
    ['an origin that is edgehook itself', { origin: { url: 'http://127.0.0.1:8080/' } }, ['origin.url: expected an origin other than edgehook itself, got "http://127.0.0.1:8080/" (listen is 127.0.0.1:8080)']],
    ['a size that is not a size', { origin: ORIGIN, cache: { memory: { max_bytes: 'lots' } } }, ['cache.memory.max_bytes: expected a size like "64MiB", got "lots"']],
    ['a zero size', { origin: ORIGIN, cache: { memory: { max_bytes: 0 } } }, ['cache.memory.max_bytes: expected a size of at least 1B, got 0']],
    ['an unknown key, with a suggestion', { origin: ORIGIN, cache: { memroy: {} } }, ['cache.memroy: unknown key (did you mean "memory"?)']],
    ['a camelCase key', { origin: ORIGIN, cache: { maxObjectBytes: '1MiB' } }, ['cache.maxObjectBytes: unknown key (did you mean "max_object_bytes"?)']],
    ['an unknown key without a near match', { origin: ORIGIN, colour: 'blue' }, ['colour: unknown key']],
    ['a disk tier without a path', { origin: ORIGIN, cache: { disk: {} } }, ['cache.disk.path: expected a file path, got nothing (the key is required)']],
    ['slicing without paths', { origin: ORIGIN, cache: { slice: { size: '1MiB' } } }, ['cache.slice.paths: expected a list of at least 1 string, got nothing (the key is required)']],
    ['a slice path that is not a path', { origin: ORIGIN, cache: { slice: { paths: ['video/**'] } } }, ['cache.slice.paths[0]: expected a path glob starting with "/", got "video/**"']],
    ['slices larger than an object may be', { origin: ORIGIN, cache: { slice: { size: '128MiB', paths: ['/v/**'] } } }, ['cache.slice.size: expected at most cache.max_object_bytes (67108864 bytes), got 134217728 bytes: a slice is stored as one object']],
    ['a fraction above 1', { origin: ORIGIN, cache: { heuristic_fraction: 1.5 } }, ['cache.heuristic_fraction: expected a number from 0 to 1, got 1.5']],
    ['a YAML 1.1 boolean', { origin: ORIGIN, cache: { store_set_cookie: 'yes' } }, ['cache.store_set_cookie: expected true or false, got "yes"']],
    ['a cache name that is not a token', { origin: ORIGIN, cache: { name: 'my cache' } }, ['cache.name: expected an HTTP token like "edgehook", got "my cache"']],
    ['a body limit that is not a size', { origin: ORIGIN, limits: { max_body_bytes: 'big' } }, ['limits.max_body_bytes: expected a size like "64MiB", got "big"']],
    ['trusted proxies as a string', { origin: ORIGIN, proxy: { trusted_proxies: '10.0.0.0/8' } }, ['proxy.trusted_proxies: expected a list of CIDR, got "10.0.0.0/8"']],
    ['a bad CIDR in the list', { origin: ORIGIN, proxy: { trusted_proxies: ['10.0.0.0/8', '10.0.0.0/33'] } }, ['proxy.trusted_proxies[1]: expected an IP address or CIDR range like "10.0.0.0/8", got "10.0.0.0/33"']],
    ['no workers', { origin: ORIGIN, workers: 0 }, ['workers: expected "auto" or an integer from 1 to 256, got 0']],
    ['workers as a word', { origin: ORIGIN, workers: 'all' }, ['workers: expected "auto" or an integer from 1 to 256, got "all"']],
    ['an unknown log level', { origin: ORIGIN, log: { level: 'verbose' } }, ['log.level: expected one of "debug", "info", "warn", "error", got "verbose"']],
    ['hooks as a mapping', { origin: ORIGIN, hooks: {} }, ['hooks: expected a list of mapping, got a mapping']],
    ['a hook without a name', { origin: ORIGIN, hooks: [{ module: 'x.wasm', phases: ['on-request'] }] }, ['hooks[0].name: expected a hook name like "auth" (lower-case letters, digits, ".", "_", "-"), got nothing (the key is required)']],
    ['a misspelt hook phase', { origin: ORIGIN, hooks: [{ name: 'a', module: '/a', phases: ['on-requst'] }] }, ['hooks[0].phases[0]: expected one of "on-request", "on-origin-response", "on-response", got "on-requst" (did you mean "on-request"?)']],
    ['a hook bound to no phase', { origin: ORIGIN, hooks: [{ name: 'a', module: '/a', phases: [] }] }, ['hooks[0].phases: expected a list of at least 1 on-request | on-origin-response | on-response, got a list']],
    ['two hooks with one name', { origin: ORIGIN, hooks: [{ name: 'a', module: '/a', phases: ['on-request'] }, { name: 'b', module: '/b', phases: ['on-request'] }, { name: 'a', module: '/c', phases: ['on-request'] }] }, ['hooks[2].name: expected a name no other hook uses, got "a" (hooks[0].name has it too)']],
    ['a hook timeout above the cap', { origin: ORIGIN, hooks: [{ name: 'a', module: '/a', phases: ['on-request'], timeout_ms: '2m' }] }, ['hooks[0].timeout_ms: expected a duration of at most 1m, got "2m"']],
    ['an unpinned https module', { origin: ORIGIN, hooks: [{ name: 'a', module: 'https://x.example/a.wasm', phases: ['on-request'] }] }, ['hooks[0].sha256: expected the module\'s SHA-256: an https:// module must be pinned']],
    ['non-finite numbers in free-form settings', { origin: ORIGIN, hooks: [{ name: 'a', module: '/a', phases: ['on-request'], config: { rate: Infinity } }] }, ['hooks[0].config.rate: expected a finite number, got Infinity']],
    ['telemetry as a list', { origin: ORIGIN, telemetry: [] }, ['telemetry: expected a mapping, got a list']],
    ['a misspelt trace exporter', { origin: ORIGIN, telemetry: { traces: { exporter: 'otlp' } } }, ['telemetry.traces.exporter: expected one of "otlp-http", "otlp-grpc", "console", "none", got "otlp"']],
    ['a sample ratio above 1', { origin: ORIGIN, telemetry: { traces: { sample_ratio: 10 } } }, ['telemetry.traces.sample_ratio: expected a number from 0 to 1, got 10']],
    ['a collector endpoint without a scheme', { origin: ORIGIN, telemetry: { traces: { endpoint: 'collector:4318' } } }, ['telemetry.traces.endpoint: expected an http/https URL like "http://127.0.0.1:9001", got "collector:4318"']],
  ];

  it.each(cases)('%s', (_name, raw, expected, env = {}) => {
    expect(problems(raw, env)).toEqual(expected);
  });

  it('reports every problem at once, in one ConfigError', () => {
    const raw = { orgin: ORIGIN, listen: 'x', cache: { memory: { max_bytes: 'lots', max_entries: -1 } }, log: { level: 1 } };
    let caught: unknown;
    try {
      resolveConfig(raw, NO_ENV);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe('EH_CONFIG');
    expect((caught as Error).message).toBe([
      'invalid configuration (6 problems):',
      '  orgin: unknown key (did you mean "origin"?)',
      '  origin: expected a mapping, got nothing (the key is required)',
      '  listen: expected HOST:PORT like "127.0.0.1:8080", got "x"',
      '  cache.memory.max_bytes: expected a size like "64MiB", got "lots"',
      '  cache.memory.max_entries: expected an integer >= 1, got -1',
      '  log.level: expected one of "debug", "info", "warn", "error", got 1',
    ].join('\n'));
  });

  it('prefixes file and line when the source knows them', () => {
    const lines: Record<string, number> = { 'cache.memory.max_bytes': 12 };
    expect(() => resolveConfig({ origin: ORIGIN, cache: { memory: { max_bytes: 'lots' } } }, {
      file: 'edgehook.yaml',
      env: {},
      lineOf: (path) => lines[path.join('.')],
    })).toThrow('edgehook.yaml:12: cache.memory.max_bytes: expected a size like "64MiB", got "lots"');
  });
});
