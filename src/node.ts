/**
 * One edgehook node: builds every part from a validated config (once, at startup), wires them,
 * and listens. The CLI, tests and benchmarks all start nodes through here.
 */
import { createAttributeServices, transformBoundsOf, type AttributeServices } from './attributes/attribute-services.ts';
import { createClientIpResolver, normalizeAddress, type ClientIpResolver } from './attributes/client-ip.ts';
import { createAdminHandler } from './admin/admin-server.ts';
import { applyPurge, createLocalBackend, type NodeAdminHooks } from './admin/local-backend.ts';
import { takeMetricsSnapshot, type MetricsSnapshot } from './admin/metrics-snapshot.ts';
import { createNodeCache, type CacheStoreConfig, type NodeCache } from './cache/create-store.ts';
import type { CacheStore } from './cache/types.ts';
import { systemClock, type Clock } from './clock.ts';
import type { EdgehookConfig, HookConfig } from './config/types.ts';
import { ConfigError, EdgehookError, StartupError } from './errors.ts';
import { createAccessLog, type AccessLog } from './logs/access-log.ts';
import { createErrorLog, type ErrorLog } from './logs/error-log.ts';
import { createLogSink, type LogSink } from './logs/log-sink.ts';
import type { HookPlanDeps, HookRegistry, ReloadResult } from './hook-runtime/index.ts';
import { accessSync, constants as fsConstants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type Logger } from './log.ts';
import { createOriginClient } from './origin/origin-client.ts';
import { createUpstream } from './origin/shield-tier.ts';
import type { CachePolicy } from './pipeline/cache-policy.ts';
import { createCollapser } from './pipeline/collapser.ts';
import { UncacheableMemory } from './pipeline/uncacheable-memory.ts';
import type { PipelineDeps } from './pipeline/context.ts';
import type { FillOutcome } from './pipeline/fill.ts';
import { createRequestHandler } from './pipeline/handler.ts';
import type { HookPlan } from './pipeline/hook-seam.ts';
import { createSlicePolicy } from './pipeline/slice-plan.ts';
import { answerShed, createLoadShedder } from './server/load-shedding.ts';
import { refusalBytes, refusalOf } from './server/refusal.ts';
import { guardRequest, type GuardedTarget, type RequestRules } from './server/request-guard.ts';
import type { FramingWatch } from './server/chunk-framing.ts';
import { startHttpServer, type ListeningServer } from './server/http-server.ts';
import { describeListenError, type AddressSource } from './server/listen-error.ts';
import type { HostPort } from './config/parse-host-port.ts';
import { createUpgradeProxy } from './server/upgrade-proxy.ts';
import { startCollectionClock } from './telemetry/metric-data.ts';
import { nodeMetricData } from './telemetry/node-metrics.ts';
import { createProxyMetrics, type ProxyMetrics } from './telemetry/proxy-metrics.ts';
import { createProcessMetrics } from './telemetry/process-metrics.ts';
import { createTelemetry, type Telemetry } from './telemetry/telemetry.ts';
import { traceOriginClient } from './telemetry/traced-origin.ts';
import type { FleetCursor } from './fleet/fleet-cursor.ts';
import type { FleetFollower, FleetTarget } from './fleet/fleet-follower.ts';

export interface StartOptions {
  readonly config: EdgehookConfig;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** A prebuilt store (tests share one across restarts); by default built from config.cache. */
  readonly store?: CacheStore;
  /** Tracer, meter and hook metrics (the CLI builds them from the OpenTelemetry SDK); absent = all off. */
  readonly telemetry?: Telemetry;
  /** Hook wiring to use instead of loading config.hooks (tests of the seam itself). */
  readonly hooks?: NodeHooks;
  /** Where prepared hook modules are cached by content hash (default: config.hook_cache_dir, else <cwd>/.cache). */
  readonly hookCacheDir?: string;
  /** Geo resolver, image transformer, …; by default built from config (tests inject counting ones). */
  readonly attributes?: AttributeServices;
  /** Set when this node is one worker of several sharing the listen address (src/cluster). */
  readonly worker?: WorkerRole;
}

export interface WorkerRole {
  readonly id: number;
  /**
   * Told of each URL this worker invalidated after an unsafe request (RFC 9111 §4.4), so the
   * other workers drop it from their memory tiers too.
   */
  readonly invalidated: (url: string) => void;
}

export interface NodeHooks {
  plan(): HookPlan | null;
  /** Whether a loaded hook reads geo (known from its imports); absent = it may (geo data is loaded). */
  readsGeo?(): boolean;
  readonly admin: NodeAdminHooks | null;
  /** Reloads modules (and, when given, a new hooks list); the old plan serves on failure. */
  reload(hooks?: readonly HookConfig[]): Promise<ReloadResult>;
  close(): Promise<void>;
}

export interface EdgehookNode {
  readonly url: string;
  readonly adminUrl: string | null;
  readonly store: CacheStore;
  readonly metrics: ProxyMetrics;
  /** Everything /metrics shows, as data (a worker hands it to its primary). */
  metricsSnapshot(): MetricsSnapshot;
  /** The hook registry as GET /hooks lists it; [] when no hooks are configured. */
  listHooks(): unknown;
  /** Hot reload (admin POST /hooks/reload, SIGHUP); null when no hooks are configured. */
  reloadHooks(hooks?: readonly HookConfig[]): Promise<ReloadResult | null>;
  /** Reopens the access-log file (SIGUSR1, after logrotate moved it); a no-op without one. */
  reopenLogs(): void;
  /**
   * Graceful: stop accepting, finish in-flight requests up to the grace period, close everything.
   * `drain` (a worker being replaced while others serve): keep-alive connections end after their
   * next answer instead of being closed while idle.
   */
  close(graceMs?: number, how?: 'stop' | 'drain'): Promise<void>;
}

export async function startNode(options: StartOptions): Promise<EdgehookNode> {
  const { config } = options;
  // Every line with a stable code goes through the error log's per-code rate limit (log.error_burst).
  const errorLog = createErrorLog(options.logger ?? createLogger({ level: config.log.level }), { burst: config.log.errorBurst, windowMs: config.log.errorWindow });
  const logger = errorLog.logger;
  // First: a log file that cannot be opened stops startup before anything else holds resources.
  const accessLog = openAccessLog(config, errorLog);
  const clock = options.clock ?? systemClock;
  const telemetry = options.telemetry ?? createTelemetry();
  // Built after the hooks (whether they read geo decides what it loads); a reload may still need it.
  let attributes: AttributeServices | undefined;
  const hookRuntime = {
    transformBounds: options.attributes?.transformBounds ?? transformBoundsOf(config),
    beforeSwap: (reads: { geo: boolean }) => {
      if (reads.geo) attributes?.enableGeo?.();
    },
  };
  const hooks = options.hooks ?? (config.hooks.length === 0 ? null
    : await loadHooks(config.hooks, logger, clock, telemetry, options.hookCacheDir ?? config.hookCacheDir ?? undefined, hookRuntime));
  attributes = options.attributes ?? createAttributeServices(config, { hooksMayReadGeo: hooks !== null && (hooks.readsGeo?.() ?? true) });
  // A worker's primary follows the fleet for it; the cursor is read before the store is opened.
  const fleetModule = config.fleet === null || options.worker !== undefined ? null : await import('./fleet/start-fleet.ts');
  const fleetCursor = fleetModule === null || config.fleet === null ? null : await fleetModule.openNodeFleetCursor({ ...config, fleet: config.fleet }, clock);
  const cache: NodeCache = options.store === undefined
    ? createNodeCache(cacheStoreConfig(config), logger, options.worker === undefined ? undefined : clock)
    : { store: options.store, fillLeases: null };
  const { store } = cache;
  const metrics = createProxyMetrics();
  const direct = traceOriginClient(createOriginClient({
    url: config.origin.url,
    connectTimeoutMs: config.origin.connectTimeout,
    headersTimeoutMs: config.origin.headersTimeout,
    bodyTimeoutMs: config.origin.bodyTimeout,
    keepAliveTimeoutMs: config.origin.keepAliveTimeout,
    connections: config.origin.connections,
    maxQueue: config.origin.maxQueue,
  }), telemetry.tracing, config.origin.url);
  // With upstream.parents, cache fills go through the shield tier first (src/origin/parent-tier.ts).
  const origin = createUpstream(config, direct, { clock, logger, metrics, tracing: telemetry.tracing });
  // The listener is bound last; until then nothing is in flight.
  let proxyListener: ListeningServer | null = null;
  const processMetrics = createProcessMetrics(() => proxyListener?.load() ?? { requests: 0, connections: 0 });
  const metricsSources = { store, proxy: metrics, hooks: telemetry.hooks, process: processMetrics, upstream: origin };
  const collected = startCollectionClock();
  // Set once the admin backend exists: OTLP then reads what GET /metrics shows (the fleet's metrics too).
  let unexportMetrics = (): void => {};
  const limits = { maxHeaders: config.limits.maxHeaders, maxUriBytes: config.limits.maxUriBytes, maxBodyBytes: config.limits.maxBodyBytes };
  const requestRules: RequestRules = {
    cdnLoop: config.proxy.cdnLoop,
    headersWithUnderscores: config.proxy.headersWithUnderscores,
    paths: { mergeSlashes: config.proxy.mergeSlashes, escapedSlashes: config.proxy.pathWithEscapedSlashes },
  };
  const deps: PipelineDeps = {
    store: options.worker === undefined ? store : relayInvalidations(store, options.worker.invalidated),
    origin,
    clock,
    logger,
    metrics,
    tracing: telemetry.tracing,
    cache: cachePolicy(config),
    forwarding: {
      via: config.proxy.via,
      addForwardedHeaders: config.proxy.addForwardedHeaders,
      hostHeader: config.origin.hostHeader,
      originAuthority: origin.authority,
      cdnId: config.proxy.cdnLoop.cdnId,
    },
    limits,
    requestRules,
    clientIp: createClientIpResolver(config.proxy.trustedProxies),
    // Geo data (~110 MB) was loaded above only if geo keying or a loaded hook reads it.
    attributes,
    uncacheable: config.cache.hitForMiss === null ? null : new UncacheableMemory(config.cache.hitForMiss),
    collapser: createCollapser<FillOutcome>(config.cache.collapseMaxWaiters, settledWhen),
    peerFills: cache.fillLeases === null || config.cache.peerFillWait === null ? null : { leases: cache.fillLeases, waitMs: config.cache.peerFillWait },
    hooks: hooks === null ? () => null : () => hooks.plan(),
    accessLog,
  };
  const upgrades = createUpgradeProxy(config.origin.url, config.proxy.cdnLoop.cdnId, logger);
  const serverLimits = {
    verifyChunkFraming: chunkFramingPolicy(config, deps.clientIp),
    maxHeaderBytes: config.limits.maxHeaderBytes,
    maxHeaders: config.limits.maxHeaders,
    clientIdleTimeoutMs: config.limits.clientIdleTimeout,
    requestHeadTimeoutMs: config.limits.requestHeadTimeout,
  };
  const slowClients = {
    minUploadRate: config.limits.minUploadRate,
    minDownloadRate: config.limits.minDownloadRate,
    rateWindowMs: config.limits.rateWindow,
    requestBodyTimeoutMs: config.limits.requestBodyTimeout,
  };
  const shedder = createLoadShedder({ maxInFlight: config.limits.maxInFlight, maxEventLoopDelayMs: config.limits.maxEventLoopDelay });
  const shedStatus = `${config.cache.name}; detail=EH_OVERLOADED`;
  // What is built so far holds timers, sockets, Redis connections and the store open: a listener
  // that cannot bind must release them all, so the CLI's one-line error is the end of the process.
  let fleet: FleetFollower | null = null;
  const release = async (): Promise<void> => {
    processMetrics.stop();
    shedder.stop();
    upgrades.close();
    await fleet?.close();
    unexportMetrics();
    await hooks?.close();
    await origin.close();
    if (options.store === undefined) await store.close();
    errorLog.close();
    await accessLog?.close();
  };
  let baseHooks = config.hooks;
  if (fleetModule !== null && fleetCursor !== null) {
    fleet = await followFleet(config, fleetModule, fleetCursor, {
      logger, clock, hookCacheDir: options.hookCacheDir ?? join(process.cwd(), '.cache'),
      target: {
        purge: async (target) => applyPurge(store, target),
        dropAll: async () => store.purgeUrlPrefix('http://') + store.purgeUrlPrefix('https://'),
        baseHooks: () => baseHooks,
        loadHooks: async (list) => (hooks === null ? { ok: false, error: 'this node has no hooks configured' } : hooks.reload(list)),
      },
    }).catch(async (error: unknown) => {
      await release();
      throw error;
    });
  }
  let ready = true;
  const localBackend = createLocalBackend({
    store, metrics: () => nodeMetricData(takeMetricsSnapshot(metricsSources), collected()), hooks: hooks?.admin ?? null, isReady: () => ready,
  });
  const adminBackend = fleet === null || fleetModule === null ? localBackend : fleetModule.withFleet(localBackend, fleet);
  unexportMetrics = telemetry.metrics.watch(() => adminBackend.metrics());
  const admin = config.admin === null ? null : await listenOn(config.admin, ADMIN_SOURCE, release, () => startHttpServer(config.admin!, serverLimits, {
    request: createAdminHandler({ token: config.admin!.token, logger, paths: requestRules.paths, backend: adminBackend }),
  }, logger));
  const releaseAll = async (): Promise<void> => {
    await admin?.shutdown(0);
    await release();
  };
  const proxy = await listenOn(config.listen, LISTEN_SOURCE, releaseAll, () => startHttpServer(config.listen, { ...serverLimits, slowClients }, {
    request: createRequestHandler(deps),
    admit: (req, res, inFlight) => {
      const reason = shedder.reason(inFlight);
      if (reason === null) return true;
      metrics.countShed(reason);
      metrics.countResponse('error', 503, 0);
      accessLog?.begin(req, res)?.head(shedStatus, 'error');
      logger.info('request shed', { code: 'EH_OVERLOADED', reason, in_flight: inFlight, method: req.method, url: req.url });
      answerShed(req, res, shedStatus);
      return false;
    },
    clientCut: ({ reason, req, movedBytes }) => {
      metrics.countClientCut(reason);
      logger.info('slow client cut', { code: 'EH_CLIENT_TOO_SLOW', reason, moved_bytes: movedBytes, method: req.method, url: req.url, peer: req.socket.remoteAddress });
    },
    upgrade: (req, socket, head) => {
      let target: GuardedTarget;
      try {
        target = guardRequest(req, limits, requestRules);
      } catch (error) {
        const failure = EdgehookError.is(error) ? error : new EdgehookError('EH_BAD_REQUEST', 'bad request');
        logger.info('request rejected', { code: failure.code, reason: failure.message, method: req.method, upgrade: true, peer: req.socket.remoteAddress });
        socket.end(refusalBytes(refusalOf(failure)));
        return;
      }
      upgrades.handle(req, socket, head, target);
    },
  }, logger));
  proxyListener = proxy;
  // A worker's line is not the node's: the primary says when the node as a whole listens.
  logger.info(options.worker === undefined ? 'listening' : 'worker listening', { url: proxy.url, admin: admin?.url ?? null, origin: config.origin.url });

  let closing: Promise<void> | null = null;
  return {
    url: proxy.url,
    adminUrl: admin?.url ?? null,
    store,
    metrics,
    metricsSnapshot: () => takeMetricsSnapshot(metricsSources),
    listHooks: () => hooks?.admin?.list() ?? [],
    reloadHooks: async (next) => {
      if (hooks === null) return null;
      if (next !== undefined) baseHooks = next;
      // A new hooks list (SIGHUP) keeps the fleet's deploys on top of it.
      return hooks.reload(next === undefined || fleet === null ? next : fleet.hooksFor(next));
    },
    reopenLogs: () => accessLog?.reopen(),
    close(graceMs = config.limits.shutdownGrace, how = 'stop') {
      closing ??= (async () => {
        ready = false;
        await (how === 'drain' ? proxy.drain(graceMs) : proxy.shutdown(graceMs));
        shedder.stop();
        processMetrics.stop();
        upgrades.close();
        await admin?.shutdown(0);
        await fleet?.close();
        unexportMetrics();
        await hooks?.close();
        await origin.close();
        if (options.store === undefined) await store.close();
        errorLog.close();
        await accessLog?.close();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}

/** The access log of log.access, its file opened now: a path that cannot be written stops startup, naming the key. */
function openAccessLog(config: EdgehookConfig, errorLog: ErrorLog): AccessLog | null {
  const access = config.log.access;
  if (access === null) return null;
  let sink: LogSink;
  try {
    sink = createLogSink(access.path, (error) => errorLog.logger.error('access log write failed', { code: 'EH_ACCESS_LOG', path: access.path, error }));
  } catch (error) {
    throw new StartupError(`log.access.path: cannot open ${access.path} for appending: ${(error as Error).message}`);
  }
  return createAccessLog(access, sink);
}

/**
 * A directory edgehook writes to, made and checked at startup: one that cannot be (a file in the
 * way, no permission, a read-only mount) stops startup with a line naming the key, instead of
 * failing at the first module prepared or object stored.
 */
function checkWritableDir(dir: string, key: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, fsConstants.R_OK | fsConstants.W_OK);
  } catch (error) {
    throw new StartupError(`${key}: cannot write ${dir}: ${(error as Error).message}`);
  }
}

const LISTEN_SOURCE: AddressSource = { key: 'listen', flag: '--listen' };
const ADMIN_SOURCE: AddressSource = { key: 'admin', flag: '--admin' };

/** Binds a listener; if it cannot, releases what the node built and throws one line naming the key. */
async function listenOn(
  address: HostPort, source: AddressSource, release: () => Promise<void>, start: () => Promise<ListeningServer>,
): Promise<ListeningServer> {
  try {
    return await start();
  } catch (error) {
    await release();
    throw describeListenError(error, address, source);
  }
}

/**
 * Loads every configured hook before listening: a module that fails to load or does not export
 * what it is bound to stops startup with a message naming the hook, not a stack trace later.
 */
async function loadHooks(
  configs: readonly HookConfig[], logger: Logger, clock: Clock, telemetry: Telemetry, cacheDir = join(process.cwd(), '.cache'),
  runtime: Pick<HookPlanDeps, 'transformBounds' | 'beforeSwap'> = {},
): Promise<NodeHooks> {
  checkWritableDir(join(cacheDir, 'hooks'), 'hook_cache_dir');
  let registry: HookRegistry;
  try {
    // Loaded only when hooks are configured: the runtime pulls in binaryen and jco, which a node
    // without hooks should not pay for in startup time or memory.
    const { createHookPlan } = await import('./hook-runtime/index.ts');
    registry = await createHookPlan(configs, { logger, clock, baseDir: process.cwd(), cacheDir, telemetry, ...runtime });
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const reload = (next?: readonly HookConfig[]): Promise<ReloadResult> => registry.reload(next);
  return {
    plan: () => registry.plan(),
    readsGeo: () => registry.reads().geo,
    admin: { list: () => registry.list(), reload: () => reload() },
    reload,
    close: async () => registry.close(),
  };
}

/**
 * Follows the fleet's stream for this node (a single process: it is the whole node) and waits for
 * the deploys in force before the first request — bounded: a Redis that does not answer is waited
 * on no longer than a purge is (fleet.apply_wait); the node then serves its file's hooks until it does.
 */
async function followFleet(
  config: EdgehookConfig, fleetModule: typeof import('./fleet/start-fleet.ts'), cursor: FleetCursor,
  deps: { readonly logger: Logger; readonly clock: Clock; readonly hookCacheDir: string; readonly target: FleetTarget },
): Promise<FleetFollower | null> {
  if (config.fleet === null) return null;
  const fleet = await fleetModule.startNodeFleet({ fleet: config.fleet, cursor, ...deps });
  const waitMs = config.fleet.applyWait;
  await Promise.race([fleet.synced, new Promise((resolve) => setTimeout(resolve, waitMs).unref())]);
  return fleet;
}

/**
 * The store as the pipeline of one worker sees it: an invalidation after an unsafe request (the
 * pipeline's only purgeUrl) is also reported, so the primary can pass it to the other workers,
 * whose memory tiers may hold the object. Purges from the admin API reach every worker anyway.
 */
function relayInvalidations(store: CacheStore, invalidated: (url: string) => void): CacheStore {
  return {
    get: (key) => store.get(key),
    put: (object) => store.put(object),
    updateMeta: (meta) => store.updateMeta(meta),
    delete: (key) => store.delete(key),
    purgeUrl: (url) => {
      invalidated(url);
      return store.purgeUrl(url);
    },
    purgeUrlPrefix: (prefix) => store.purgeUrlPrefix(prefix),
    purgeTag: (tag) => store.purgeTag(tag),
    stats: () => store.stats(),
    close: () => store.close(),
  };
}

/** Trusted proxies are followed from their first byte; with trusted-peers, others from their first chunked request. */
function chunkFramingPolicy(config: EdgehookConfig, clientIp: ClientIpResolver): (peer: string | undefined) => FramingWatch {
  switch (config.limits.verifyChunkFraming) {
    case 'always':
      return () => 'from-start';
    case 'never':
      return () => 'off';
    case 'trusted-peers':
      return (peer) => (peer !== undefined && clientIp.isTrusted(normalizeAddress(peer)) ? 'from-start' : 'from-first-chunked');
  }
}

/** A collapsed group stays joinable while its shared body can still be replayed to late arrivals. */
function settledWhen(outcome: FillOutcome): Promise<void> {
  return outcome.kind === 'shared' ? outcome.body.whenSettled() : Promise.resolve();
}

function cachePolicy(config: EdgehookConfig): CachePolicy {
  const cache = config.cache;
  return {
    name: cache.name,
    maxObjectBytes: cache.maxObjectBytes,
    defaultTtlSeconds: cache.defaultTtl === null ? undefined : Math.floor(cache.defaultTtl / 1000),
    storeSetCookie: cache.storeSetCookie,
    targetedCacheControl: cache.targetedCacheControl,
    ignoreClientNoCache: cache.ignoreClientNoCache,
    heuristicFraction: cache.heuristicFraction,
    heuristicMaxSeconds: Math.floor(cache.heuristicMax / 1000),
    sortQuery: cache.sortQuery,
    collapseMaxWaiters: cache.collapseMaxWaiters,
    fill: cache.fill,
    slice: cache.slice === null ? null : createSlicePolicy(cache.slice),
  };
}

function cacheStoreConfig(config: EdgehookConfig): CacheStoreConfig {
  const { memory, disk } = config.cache;
  return {
    memory: { maxBytes: memory.maxBytes, maxEntries: memory.maxEntries },
    ...(disk === null ? {} : { disk: { path: disk.path, maxBytes: disk.maxBytes, writeRetryMs: disk.writeRetry } }),
  };
}
