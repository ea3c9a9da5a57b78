/**
 * One edgehook node: builds every part from a validated config (once, at startup), wires them,
 * and listens. The CLI, tests and benchmarks all start nodes through here.
 */
import { createClientIpResolver } from './attributes/client-ip.ts';
import { createAdminHandler, type AdminHooks } from './admin/admin-server.ts';
import { createCacheStore } from './cache/create-store.ts';
import type { CacheStore } from './cache/types.ts';
import { systemClock, type Clock } from './clock.ts';
import type { EdgehookConfig } from './config/types.ts';
import { createLogger, type Logger } from './log.ts';
import { createOriginClient } from './origin/origin-client.ts';
import type { CachePolicy } from './pipeline/cache-policy.ts';
import { createCollapser } from './pipeline/collapser.ts';
import type { PipelineDeps } from './pipeline/context.ts';
import type { FillOutcome } from './pipeline/fill.ts';
import { createRequestHandler } from './pipeline/handler.ts';
import type { HookPlan } from './pipeline/hook-seam.ts';
import { guardRequest } from './server/request-guard.ts';
import { startHttpServer, type ListeningServer } from './server/http-server.ts';
import { createUpgradeProxy } from './server/upgrade-proxy.ts';
import { createProxyMetrics, type ProxyMetrics } from './telemetry/proxy-metrics.ts';

export interface StartOptions {
  readonly config: EdgehookConfig;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** A prebuilt store (tests share one across restarts); by default built from config.cache. */
  readonly store?: CacheStore;
  /** Hook wiring; absent = no hooks. */
  readonly hooks?: { plan: () => HookPlan | null; admin: AdminHooks | null; close(): Promise<void> };
}

export interface EdgehookNode {
  readonly url: string;
  readonly adminUrl: string | null;
  readonly store: CacheStore;
  readonly metrics: ProxyMetrics;
  /** Graceful: stop accepting, finish in-flight requests up to the grace period, close everything. */
  close(graceMs?: number): Promise<void>;
}

export async function startNode(options: StartOptions): Promise<EdgehookNode> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.log.level });
  const clock = options.clock ?? systemClock;
  const store = options.store ?? createCacheStore(cacheStoreConfig(config), logger);
  const origin = createOriginClient({
    url: config.origin.url,
    connectTimeoutMs: config.origin.connectTimeout,
    headersTimeoutMs: config.origin.headersTimeout,
    bodyTimeoutMs: config.origin.bodyTimeout,
    keepAliveTimeoutMs: config.origin.keepAliveTimeout,
    connections: config.origin.connections,
  });
  const metrics = createProxyMetrics();
  const limits = { maxHeaders: config.limits.maxHeaders, maxUriBytes: config.limits.maxUriBytes, maxBodyBytes: config.limits.maxBodyBytes };
  const deps: PipelineDeps = {
    store,
    origin,
    clock,
    logger,
    metrics,
    cache: cachePolicy(config),
    forwarding: {
      via: config.proxy.via,
      addForwardedHeaders: config.proxy.addForwardedHeaders,
      hostHeader: config.origin.hostHeader,
      originAuthority: origin.authority,
    },
    limits,
    clientIp: createClientIpResolver(config.proxy.trustedProxies),
    collapser: createCollapser<FillOutcome>(config.cache.collapseMaxWaiters, settledWhen),
    hooks: options.hooks?.plan ?? (() => null),
  };
  const upgrades = createUpgradeProxy(config.origin.url, logger);
  const serverLimits = {
    maxHeaderBytes: config.limits.maxHeaderBytes,
    maxHeaders: config.limits.maxHeaders,
    clientIdleTimeoutMs: config.limits.clientIdleTimeout,
    requestHeadTimeoutMs: config.limits.requestHeadTimeout,
  };
  const proxy = await startHttpServer(config.listen, serverLimits, {
    request: createRequestHandler(deps),
    upgrade: (req, socket, head) => {
      try {
        guardRequest(req, limits);
      } catch {
        socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      upgrades.handle(req, socket, head);
    },
  }, logger);

  let ready = true;
  let admin: ListeningServer | null = null;
  if (config.admin !== null) {
    admin = await startHttpServer(config.admin, serverLimits, {
      request: createAdminHandler({ token: config.admin.token, store, metrics, logger, hooks: options.hooks?.admin ?? null, isReady: () => ready }),
    }, logger);
  }
  logger.info('listening', { url: proxy.url, admin: admin?.url ?? null, origin: config.origin.url });

  let closing: Promise<void> | null = null;
  return {
    url: proxy.url,
    adminUrl: admin?.url ?? null,
    store,
    metrics,
    close(graceMs = config.limits.shutdownGrace) {
      closing ??= (async () => {
        ready = false;
        await proxy.shutdown(graceMs);
        upgrades.close();
        await admin?.shutdown(0);
        await options.hooks?.close();
        await origin.close();
        if (options.store === undefined) await store.close();
        logger.info('stopped');
      })();
      return closing;
    },
  };
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
    ignoreClientNoCache: cache.ignoreClientNoCache,
    heuristicFraction: cache.heuristicFraction,
    heuristicMaxSeconds: Math.floor(cache.heuristicMax / 1000),
    sortQuery: cache.sortQuery,
    collapseMaxWaiters: cache.collapseMaxWaiters,
  };
}

function cacheStoreConfig(config: EdgehookConfig): Parameters<typeof createCacheStore>[0] {
  const { memory, disk } = config.cache;
  return {
    memory: { maxBytes: memory.maxBytes, maxEntries: memory.maxEntries },
    ...(disk === null ? {} : { disk: { path: disk.path, maxBytes: disk.maxBytes } }),
  };
}
