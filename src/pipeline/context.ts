/**
 * What the pipeline is built from (injected once per node) and what one request carries through
 * it. No global state: two nodes with different stores and origins can share a process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { AttributeServices } from '../attributes/attribute-services.ts';
import type { ClientIpResolver } from '../attributes/client-ip.ts';
import type { RequestAttributeSet } from '../attributes/request-attributes.ts';
import type { ResolvedTransform } from '../attributes/transform-spec.ts';
import type { FillLeases } from '../cache/fill-lease.ts';
import type { CacheStore } from '../cache/types.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { AccessEntry } from '../logs/access-entry.ts';
import type { AccessLog } from '../logs/access-log.ts';
import type { OriginClient } from '../origin/origin-client.ts';
import type { RequestLimits, RequestRules } from '../server/request-guard.ts';
import type { ProxyMetrics } from '../telemetry/proxy-metrics.ts';
import type { RequestTracing } from '../telemetry/request-tracing.ts';
import type { CachePolicy } from './cache-policy.ts';
import type { Collapser } from './collapser.ts';
import type { FillOutcome } from './fill.ts';
import type { ForwardingPolicy } from './forward-headers.ts';
import type { HookPlan, HookRequestState, RouteHooks } from './hook-seam.ts';
import type { RequestView } from './request-view.ts';
import type { UncacheableMemory } from './uncacheable-memory.ts';

/**
 * What a pipeline step returns: nothing when it finished synchronously (a cache hit), a promise
 * when it had to wait (an origin fetch, a hook call).
 */
export type Pending = void | Promise<void>;

export interface PipelineDeps {
  readonly store: CacheStore;
  readonly origin: OriginClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: ProxyMetrics;
  /** Spans on the request path (off: every call returns null at once). */
  readonly tracing: RequestTracing;
  readonly cache: CachePolicy;
  readonly forwarding: ForwardingPolicy;
  readonly limits: RequestLimits;
  /** Request loops and request shapes the guard refuses or changes (config.proxy). */
  readonly requestRules: RequestRules;
  readonly clientIp: ClientIpResolver;
  /** Geo resolver and key, image limits and transformer, transform routes (src/attributes). */
  readonly attributes: AttributeServices;
  /** Keys whose last response could not be stored (hit-for-miss); null when cache.hit_for_miss is off. */
  readonly uncacheable: UncacheableMemory | null;
  /** Concurrent fills per cache key, shared by every request on this node. */
  readonly collapser: Collapser<FillOutcome>;
  /**
   * Fill leases in the disk store shared with other worker processes, and how long to wait on
   * another worker's fill (peer-fill.ts); null = one process, no disk tier, or turned off.
   */
  readonly peerFills: { readonly leases: FillLeases; readonly waitMs: number } | null;
  /** The current hook plan (swapped atomically on reload); null when no hooks are configured. */
  readonly hooks: () => HookPlan | null;
  /** One line per request (log.access); absent or null when off. */
  readonly accessLog?: AccessLog | null;
}

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly deps: PipelineDeps;
  readonly clientIp: string;
  /** The request's SERVER span; null when tracing is off. May be sampled out (not recording). */
  readonly span: Span | null;
  readonly route: RouteHooks | null;
  /** Present when the route has hooks: the state they read and edit. */
  readonly hookRequest: HookRequestState | null;
  /** The request after on-request edits. */
  view: RequestView;
  /** Geo (lazy) and image attributes; the same object hooks see as hookRequest.attributes. */
  readonly attributes: RequestAttributeSet;
  /** The image variant the request asks for (set after on-request), or null: serve the URL as is. */
  variant: ResolvedTransform | null;
  /** performance.now() when the request reached the handler: duration and TTFB histograms start here. */
  readonly started: number;
  /** This request's access-log entry; null (or absent) when it is not logged. */
  readonly access?: AccessEntry | null;
}
