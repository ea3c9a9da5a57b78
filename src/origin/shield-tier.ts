/**
 * Builds the node's upstream from config: the origin client alone, or — with upstream.parents —
 * the shield tier in front of it (parent-tier.ts): one connection pool per parent (traced like
 * the origin's), their health (parent-health.ts) with its checks (health-checks.ts), and the
 * log lines and metrics every ejection, readmission and failover leaves.
 */
import type { Clock } from '../clock.ts';
import type { EdgehookConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import type { ParentEvent, ProxyMetrics } from '../telemetry/proxy-metrics.ts';
import type { RequestTracing } from '../telemetry/request-tracing.ts';
import { traceOriginClient } from '../telemetry/traced-origin.ts';
import { startHealthChecks } from './health-checks.ts';
import { createOriginClient, type OriginClient } from './origin-client.ts';
import { createParentHealth, type HealthChange } from './parent-health.ts';
import { createParentTier, type FailoverReason, type Parent } from './parent-tier.ts';
import { UPSTREAM_LOG_CODES } from './upstream-log-codes.ts';

export interface UpstreamDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Pick<ProxyMetrics, 'countParentEvent'>;
  readonly tracing: RequestTracing;
}

const FAILOVER_EVENTS: Record<FailoverReason, ParentEvent> = { error: 'failover-error', 'parent-5xx': 'failover-5xx', loop: 'failover-loop' };

export function createUpstream(config: EdgehookConfig, origin: OriginClient, deps: UpstreamDeps): OriginClient {
  const { upstream } = config;
  if (upstream.parents.length === 0) return origin;
  const parents: Parent[] = upstream.parents.map((parent) => ({
    id: parent.id,
    weight: parent.weight,
    cdnId: parent.cdnId,
    client: traceOriginClient(createOriginClient({
      url: parent.url,
      connectTimeoutMs: config.origin.connectTimeout,
      headersTimeoutMs: config.origin.headersTimeout,
      bodyTimeoutMs: config.origin.bodyTimeout,
      keepAliveTimeoutMs: config.origin.keepAliveTimeout,
      connections: upstream.connections,
      maxQueue: config.origin.maxQueue,
    }), deps.tracing, parent.url),
  }));
  const health = createParentHealth(parents.map((p) => p.id), { ejectAfter: upstream.ejectAfter, ejectForMs: upstream.ejectFor }, deps.clock,
    (id, change) => reportChange(deps, id, change));
  const checked = upstream.parents.flatMap((p) => (p.healthUrl === null ? [] : [{ id: p.id, url: p.healthUrl }]));
  const checks = checked.length === 0 ? null : startHealthChecks(checked, {
    intervalMs: upstream.healthInterval,
    timeoutMs: upstream.healthTimeout,
    onResult: (id, healthy, reason) => health.checked(id, healthy, reason),
  });
  deps.logger.info('shield tier', { parents: upstream.parents.map((p) => ({ id: p.id, url: p.url, weight: p.weight })), direct: upstream.direct });
  return createParentTier({
    origin,
    parents,
    direct: upstream.direct,
    health,
    logger: deps.logger,
    onFailover: (parent, reason) => deps.metrics.countParentEvent(parent, FAILOVER_EVENTS[reason]),
    stopChecks: async () => checks?.stop(),
  });
}

function reportChange(deps: UpstreamDeps, parent: string, change: HealthChange): void {
  deps.metrics.countParentEvent(parent, change.event);
  if (change.event === 'ejected') {
    deps.logger.warn('parent ejected', { code: UPSTREAM_LOG_CODES.ejected, parent, cause: change.cause, reason: change.reason });
  } else {
    deps.logger.info('parent readmitted', { code: UPSTREAM_LOG_CODES.readmitted, parent, cause: change.cause });
  }
}
