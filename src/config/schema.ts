/**
 * The edgehook config schema: every key, its type, its default and what it means, in one place.
 * Validation, the EdgehookConfig type check and docs/configuration.md all come from this file.
 * To add a key: add a field here, add it to types.ts, regenerate the docs (see docs.ts).
 */
import * as s from './dsl/index.ts';
import { hooksField } from './hooks-schema.ts';
import { telemetryField } from './telemetry-schema.ts';
import { checkAddresses } from './cross-checks.ts';
import { cacheKeyField, checkGeoKey, geoField } from './geo-schema.ts';
import { imageField } from './image-schema.ts';
import { checkSliceSize, sliceField } from './slice-schema.ts';
import { checkParents, upstreamField } from './upstream-schema.ts';
import { fleetField } from './fleet-schema.ts';
import { workersField } from './workers-schema.ts';
import { logField } from './log-schema.ts';
import type { AdminConfig, EdgehookConfig } from './types.ts';

const timeout = (doc: string, fallback: string): s.Field<s.Millis> => s.duration({ doc, default: fallback, min: 1 });

const origin = s.object({
  url: s.url({ doc: 'Base URL of the origin server. A path prefix is prepended to every request path.', protocols: ['http:', 'https:'] }),
  connect_timeout: timeout('Time allowed to open a connection to the origin (504 when exceeded).', '5s'),
  headers_timeout: timeout('Time allowed for the origin to send the response head after the request was sent (504).', '30s'),
  body_timeout: timeout('Longest gap allowed between two chunks of the origin response body.', '30s'),
  keep_alive_timeout: timeout('How long an idle origin connection is kept open for reuse.', '4s'),
  connections: s.int({ doc: 'Maximum concurrent connections to the origin.', default: 128, min: 1 }),
  max_queue: s.int({
    doc: 'Origin fetches that may wait for a free connection; past connections + max_queue a request gets a fast 503 with Retry-After (a stale copy is served instead when stale-if-error allows).',
    default: 1024, min: 0,
  }),
  host_header: s.enumOf(['preserve', 'origin'], {
    doc: 'Host header sent to the origin: preserve forwards the client\'s Host; origin uses the host of origin.url.',
    default: 'preserve',
  }),
}, { doc: 'The origin server edgehook fetches from.', required: true });

const hostKey = (fallback: string): s.Field<string> => s.host({ doc: 'Address to bind (IP address or host name).', default: fallback });
const portKey = (fallback: number): s.Field<number> => s.int({ doc: 'Port to bind; 0 picks a free port.', default: fallback, min: 0, max: 65_535 });

const listen = s.mappingOrString({
  doc: 'Where edgehook accepts client connections: a mapping, or the shorthand "HOST:PORT".',
  mapping: s.object({ host: hostKey('127.0.0.1'), port: portKey(8080) }, { doc: 'Client listener.' }),
  string: s.hostPort({ doc: 'Client listener as HOST:PORT.' }),
});

const adminMapping = s.map(s.object({
  host: hostKey('127.0.0.1'),
  port: portKey(9090),
  token: s.orNull(s.string({ doc: 'Bearer token required by the admin API.' }), { meaning: 'no token required' }),
  token_env: s.orNull(s.string({
    doc: 'Name of an environment variable holding the token, read once at startup (instead of token).',
    pattern: { regex: /^[A-Za-z_][A-Za-z0-9_]*$/, label: 'an environment variable name like "EDGEHOOK_ADMIN_TOKEN"' },
  }), { meaning: 'none' }),
}, { doc: 'Admin API listener.' }), resolveAdminToken);

const admin = s.orOff(s.mappingOrString({
  doc: 'Admin API (purge, stats, health): a mapping, the shorthand "HOST:PORT", or false to turn it off. Keep it on a private address.',
  mapping: adminMapping,
  string: s.map(s.hostPort({ doc: 'Admin listener as HOST:PORT.' }), (address): AdminConfig => Object.freeze({ ...address, token: null })),
}));

/** Reads token_env once, here, so nothing later ever touches process.env for it. */
function resolveAdminToken(
  value: { host: string; port: number; token: string | null; tokenEnv: string | null },
  ctx: s.ParseContext,
): AdminConfig | s.Invalid {
  const { host, port, token, tokenEnv } = value;
  if (tokenEnv === null) return Object.freeze({ host, port, token });
  const envCtx = s.at(ctx, 'token_env');
  if (token !== null) return s.report(envCtx, 'expected either token or token_env, got both');
  const fromEnv = ctx.env[tokenEnv];
  if (fromEnv === undefined || fromEnv === '') {
    return s.report(envCtx, `expected environment variable ${tokenEnv} to hold the admin token, got ${fromEnv === undefined ? 'an unset variable' : 'an empty one'}`);
  }
  return Object.freeze({ host, port, token: fromEnv });
}

const cache = s.object({
  memory: s.object({
    max_bytes: s.bytes({ doc: 'Total size of the bodies and headers held in memory.', default: '256MiB', min: 1 }),
    max_entries: s.int({ doc: 'Most objects held in memory.', default: 100_000, min: 1 }),
  }, { doc: 'The in-memory tier (least recently used objects are evicted first).' }),
  disk: s.orNull(s.object({
    path: s.path({ doc: 'Directory of the disk store; relative to the config file.' }),
    max_bytes: s.bytes({
      doc: 'Size of the disk store (bodies, metadata and index entries). LMDB\'s data file runs up to ~1.5x this under churn and never shrinks: leave that much disk.',
      default: '1GiB',
      min: 1,
    }),
    write_retry: s.duration({
      doc: 'After a disk write fails (a full disk), how long storing on disk pauses before it is tried again; objects are still served from memory and the origin meanwhile.',
      default: '5s',
      min: 1,
    }),
  }, { doc: 'The disk tier behind the memory tier.', required: true }), { meaning: 'no disk tier' }),
  max_object_bytes: s.bytes({ doc: 'Largest response body that is stored; larger ones are passed through.', default: '64MiB', min: 1 }),
  default_ttl: s.orNull(s.duration({ doc: 'Freshness lifetime for cacheable responses that carry no explicit freshness (max-age, Expires).' }), {
    meaning: 'none: such responses use heuristic freshness',
  }),
  store_set_cookie: s.bool({ doc: 'Store responses that carry Set-Cookie. Off by default: a Set-Cookie is usually meant for one client.', default: false }),
  targeted_cache_control: s.map(s.array(s.string({
    doc: 'A response field name.',
    pattern: { regex: /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, label: 'a field name like "cdn-cache-control"' },
  }), {
    doc: 'Targeted cache-control fields this cache obeys (RFC 9213), in precedence order: the first one present and valid in a response decides storing and freshness, and Cache-Control and Expires are then ignored by this cache (not by browsers). edgehook-cache-control lets an origin address edgehook apart from other CDNs; [] obeys Cache-Control only. Surrogate-Control addressed to this node still ranks above them.',
    default: ['edgehook-cache-control', 'cdn-cache-control'],
  }), checkTargetedFields),
  ignore_client_no_cache: s.bool({ doc: 'Ignore request Cache-Control: no-cache / Pragma: no-cache (so clients cannot force origin fetches).', default: false }),
  heuristic_fraction: s.number({ doc: 'Heuristic freshness as a fraction of the time since Last-Modified (RFC 9111 §4.2.2).', default: 0.1, min: 0, max: 1 }),
  heuristic_max: s.duration({ doc: 'Cap on heuristic freshness.', default: '1d' }),
  fill: s.object({
    pause_origin_lag: s.bytes({
      doc: 'A streamed cache fill larger than max_object_bytes (so not kept whole) pauses the origin while the request that leads it is this many bytes behind: the origin goes at the pace of its client, as a pass-through does.',
      default: '1MiB', min: 1,
    }),
    max_reader_lag: s.bytes({
      doc: 'How far any other client sharing such a fill may fall behind before its connection is cut (logged, counted in edgehook_client_cuts_total). Bodies kept whole for storing are read at the origin\'s pace whatever the clients do; a slow reader costs no extra memory there.',
      default: '16MiB', min: 1,
    }),
  }, { doc: 'Flow control of a cache fill streamed to several clients at once.' }),
  hit_for_miss: s.orOff(s.duration({
    doc: 'How long a URL whose response could not be stored (no-store, private, Set-Cookie, …) is remembered: meanwhile its requests go to the origin at once instead of waiting on another request\'s fetch they could not share (Varnish\'s hit-for-miss). A storable response ends it. false = always collapse.',
    default: '2m', min: 1,
  })),
  collapse_max_waiters: s.int({ doc: 'Most requests that may wait on one in-flight origin fetch for the same object; later ones go to the origin.', default: 1000, min: 0 }),
  peer_fill_wait: s.orOff(s.duration({
    doc: 'With several workers and a disk tier: how long a worker waits for the fill another worker is making of the same object (a lease in the shared disk store) to be stored, before it fetches the object itself. Waiting requests get the object once it is stored whole, not as it streams. false = each worker fills its own misses.',
    default: '5s', min: 1,
  })),
  name: s.string({
    doc: 'Cache name reported in the Cache-Status header (RFC 9211).',
    default: 'edgehook',
    pattern: { regex: /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, label: 'an HTTP token like "edgehook"' },
  }),
  sort_query: s.bool({ doc: 'Sort query parameters when building the cache key, so ?a=1&b=2 and ?b=2&a=1 share an entry.', default: false }),
  key: cacheKeyField,
  slice: sliceField,
}, { doc: 'The HTTP cache.' });

/** Lowercased once; Cache-Control and Surrogate-Control have their own rules, not RFC 9213's. */
function checkTargetedFields(names: readonly string[], ctx: s.ParseContext): readonly string[] | s.Invalid {
  const lower = names.map((name) => name.toLowerCase());
  const clash = lower.find((name) => name === 'cache-control' || name === 'surrogate-control');
  if (clash !== undefined) return s.report(ctx, `expected targeted field names, got ${clash} (it is always read by its own rules)`);
  return Object.freeze([...new Set(lower)]);
}

const limits = s.object({
  max_header_bytes: s.bytes({ doc: 'Largest request head (request line and header fields); larger ones get 431.', default: '16KiB', min: 1 }),
  max_headers: s.int({ doc: 'Most request header fields; more get 431.', default: 100, min: 1 }),
  max_uri_bytes: s.bytes({ doc: 'Longest request target; longer ones get 414.', default: '8KiB', min: 1 }),
  max_body_bytes: s.orNull(s.bytes({ doc: 'Largest request body; larger ones get 413.' }), { meaning: 'unlimited' }),
  client_idle_timeout: timeout('How long an idle client keep-alive connection stays open.', '60s'),
  request_head_timeout: timeout('Time a client has to send the complete request head (slowloris protection; 408).', '10s'),
  max_in_flight: s.orOff(s.int({
    doc: 'Requests served at once; past it new requests get a fast 503 with Retry-After before they cost memory. false = no bound.',
    default: 10_000, min: 1,
  })),
  max_event_loop_delay: s.orOff(s.duration({
    doc: 'While the event loop\'s mean delay over two half-second windows in a row exceeds this, new requests get a fast 503 with Retry-After (the node is too busy to answer them in time). false = never shed on it.',
    default: '500ms', min: 1,
  })),
  min_upload_rate: s.orOff(s.bytes({
    doc: 'Least a request body must move per second, averaged over rate_window, while edgehook waits on the client; slower uploads get 408 and the connection closes (bytes that keep trickling in reset the idle timeout, so this is what stops a trickle). false = no minimum.',
    default: '1KiB', min: 1,
  })),
  min_download_rate: s.orOff(s.bytes({
    doc: 'Least a response must move per second, averaged over rate_window, while its client is not reading fast enough to empty the socket; slower readers are cut. false = no minimum.',
    default: '1KiB', min: 1,
  })),
  rate_window: s.duration({ doc: 'Window over which min_upload_rate and min_download_rate are averaged.', default: '20s', min: 100 }),
  request_body_timeout: s.orNull(s.duration({ doc: 'Longest a request body may take to arrive in full (408 after it).', min: 1 }), { meaning: 'no deadline (min_upload_rate still applies)' }),
  shutdown_grace: s.duration({ doc: 'On shutdown, how long in-flight requests may finish before connections are closed.', default: '10s' }),
  verify_chunk_framing: s.enumOf(['always', 'trusted-peers', 'never'], {
    doc: 'Re-check chunk-size lines Node\'s parser accepts (e.g. FFFFFFFFFFFFFFED, which it takes as an 18-exabyte chunk that swallows the rest of the connection) and refuse them with one 400, then close. Following a connection from its first byte costs about 7 µs per request (measured on cache hits), so the default does that only for proxy.trusted_proxies — the hops that share one connection among many clients, the only ones a desync can hurt — and picks other connections up at their first chunked request; "always" follows every connection from its first byte; "never" leaves framing to Node.',
    default: 'trusted-peers',
  }),
}, { doc: 'Bounds on what clients may send, and connection lifetimes.' });

const proxy = s.object({
  trusted_proxies: s.array(s.cidr({ doc: 'A trusted proxy address or range.' }), {
    doc: 'Peers whose X-Forwarded-For is believed when finding the client address; [] = trust none.',
    default: [],
  }),
  via: s.string({
    doc: 'Pseudonym edgehook adds to the Via header.',
    default: 'edgehook',
    pattern: { regex: /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, label: 'an HTTP token like "edgehook"' },
  }),
  add_forwarded_headers: s.bool({ doc: 'Add X-Forwarded-For, X-Forwarded-Proto and X-Forwarded-Host to origin requests.', default: true }),
  cdn_loop: s.object({
    cdn_id: s.string({
      doc: 'The id this node appends to CDN-Loop on every origin request and looks for in incoming ones. Give each CDN its own (a host name it controls), and each tier of one too (edge.cdn.example, shield.cdn.example): two separately run CDNs that both keep the default would refuse each other\'s requests.',
      default: 'edgehook',
      pattern: { regex: /^(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/, label: 'an HTTP token or host[:port] like "cdn.example.com"' },
    }),
    max_allowed_occurrences: s.int({
      doc: 'How many times cdn_id may already be in an incoming request\'s CDN-Loop; more is a loop, answered 508. Keep 0 when each tier has its own cdn_id; a shield sharing its edges\' cdn_id sets 1. A request that came back round never joins a collapsed fill (it could be the fetch that fill waits for).',
      default: 0,
      min: 0,
    }),
  }, { doc: 'Request-loop detection (RFC 8586): a request that comes back to the node — an origin or DNS name pointing at it — is answered 508 instead of going round until something breaks.' }),
  headers_with_underscores: s.enumOf(['drop', 'reject', 'allow'], {
    doc: 'Request header names with an underscore (X_Forwarded_For): CGI-style origins read them as their hyphenated twins, so a client could spoof X-Forwarded-For past this node. drop removes them before anything reads them (hooks, Vary, the cache key, the origin), as nginx does; reject answers 400; allow passes them on.',
    default: 'drop',
  }),
  merge_slashes: s.bool({
    doc: 'Merge repeated slashes in request paths (//a///b → /a/b) before routing, cache keys and forwarding, so a hook route like /auth/** cannot be walked around with //evil/auth/x, which a URL parser at the origin reads as /auth/x. Off, a path that still starts with // is refused (400).',
    default: true,
  }),
  path_with_escaped_slashes: s.enumOf(['reject', 'keep', 'decode'], {
    doc: 'Paths with %2F or %5C (an escaped / or \\): reject answers 400, since an origin that decodes them would serve a path hook routes did not see; keep forwards them as data, for origins that treat them so (GitLab-style APIs); decode turns both into / before routing, cache keys and forwarding. A raw \\ is always refused: URL parsers read it as /.',
    default: 'reject',
  }),
}, { doc: 'Reverse-proxy behaviour.' });

export { LOG_LEVELS } from './log-schema.ts';
const log = logField;

const hookCacheDir = s.orNull(s.path({
  doc: 'Directory where prepared hook modules (memory-capped, fuel-metered: seconds of work for a large module) are kept by content hash, in its hooks/ subdirectory, so a restart skips the work; relative to the config file. Must be writable.',
}), { meaning: '.cache in the working directory' });

const configShape = {
  origin, upstream: upstreamField, listen, admin, workers: workersField, cache, limits, proxy, log, hooks: hooksField,
  hook_cache_dir: hookCacheDir, telemetry: telemetryField, geo: geoField, image: imageField, fleet: fleetField,
};

/** The whole config: the root mapping, plus checks that span sections. */
export const edgehookSchema: s.Field<EdgehookConfig> = s.map(s.map(s.map(s.map(s.object(configShape, { doc: 'edgehook configuration.' }), checkAddresses), checkGeoKey), checkSliceSize), checkParents);

/** Fails to compile when the schema and EdgehookConfig (types.ts) disagree. */
export type ConfigSchemaMatches = s.SameShape<s.ObjectValue<typeof configShape>, EdgehookConfig>;
