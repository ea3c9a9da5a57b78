/**
 * `upstream`: the shield tier. A pool of parent edgehook nodes between this node and the origin;
 * each cache fill goes to the parent that rendezvous hashing makes its key's home
 * (src/origin/rendezvous.ts), failing over down the ranking and then, if allowed, to the origin
 * (src/origin/parent-tier.ts). An empty pool (the default) is a node that talks to its origin.
 */
import * as s from './dsl/index.ts';
import { formatHostPort, type HostPort } from './parse-host-port.ts';
import type { CdnLoopConfig } from './types.ts';

export interface ParentConfig {
  /** http(s)://host:port of the parent's client listener, as written (no path). */
  readonly url: string;
  /** What rendezvous hashing keys the parent by: every node must name a parent the same way. */
  readonly id: string;
  readonly weight: number;
  /** The parent's proxy.cdn_loop.cdn_id, when known: a request whose CDN-Loop names it skips it. */
  readonly cdnId: string | null;
  /** Polled for the parent's health (its admin /healthz); null = passive ejection only. */
  readonly healthUrl: string | null;
}

export interface UpstreamConfig {
  readonly parents: readonly ParentConfig[];
  /** Whether this node may go to origin.url itself: after every parent failed, and for pass-through requests. */
  readonly direct: boolean;
  /** Consecutive failures (connect errors, timeouts, the parent's own 5xx) that eject a parent. */
  readonly ejectAfter: number;
  /** How long a passively ejected parent sits out when no health check brings it back sooner. */
  readonly ejectFor: number;
  readonly healthInterval: number;
  readonly healthTimeout: number;
  /** Connections to each parent. */
  readonly connections: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z:-]+$/;

const parentShape = {
  url: s.url({ doc: 'The parent\'s client listener, http(s)://HOST:PORT (no path: the parent is asked for exactly what the origin would be).', protocols: ['http:', 'https:'] }),
  id: s.orNull(s.string({
    doc: 'The name rendezvous hashing keys this parent by. Every node that lists the parent must give it the same id (or the same url), or they disagree on which objects it is home for.',
    pattern: { regex: TOKEN, label: 'a token like "shield-1"' },
  }), { meaning: 'the url\'s HOST:PORT' }),
  weight: s.number({ doc: 'Relative share of objects this parent is home for.', default: 1, min: 0.01, max: 1000 }),
  cdn_id: s.orNull(s.string({
    doc: 'The parent\'s proxy.cdn_loop.cdn_id. A request whose CDN-Loop already names it has passed through that parent (a parent pointing back at its child): it is not sent there again.',
    pattern: { regex: /^(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/, label: 'an HTTP token or host[:port] like "shield.cdn.example"' },
  }), { meaning: 'unknown: a loop is found when the parent answers 508' }),
  health_url: s.orNull(s.url({ doc: 'URL polled every health_interval, e.g. the parent\'s admin http://HOST:ADMIN_PORT/healthz (200 = healthy). A failed check ejects the parent; a passing one brings it back.', protocols: ['http:', 'https:'] }), {
    meaning: 'no active check: an ejected parent comes back after eject_for',
  }),
};

const parentField = s.map(s.object(parentShape, { doc: 'One parent node.', required: true }), resolveParent);

function resolveParent(raw: s.ObjectValue<typeof parentShape>, ctx: s.ParseContext): ParentConfig | s.Invalid {
  const parsed = new URL(raw.url);
  if (parsed.pathname !== '/' || raw.url.replace(/\/$/, '') !== parsed.origin) {
    return s.expected(s.at(ctx, 'url'), 'a parent URL without a path (scheme://HOST:PORT)', raw.url);
  }
  return Object.freeze({ url: parsed.origin, id: raw.id ?? parsed.host, weight: raw.weight, cdnId: raw.cdnId, healthUrl: raw.healthUrl });
}

const upstreamShape = {
  parents: s.array(parentField, {
    doc: 'Parent edgehook nodes (a shield tier). Each cache fill goes to the parent rendezvous hashing picks for the requested authority and path, so every object has one home parent and each edge asks the same one; [] = fetch from origin.url.',
    default: [],
  }),
  direct: s.bool({
    doc: 'Whether this node may fetch from origin.url itself: when every parent is ejected or failed, and for requests that are not cache fills (uploads, credentialed or uncacheable requests), which then skip the parents. false = everything goes through a parent (an origin that only admits the shield tier).',
    default: true,
  }),
  eject_after: s.int({ doc: 'Consecutive failures of a parent (connection errors, timeouts, 5xx the parent made itself) that eject it from the pool.', default: 3, min: 1 }),
  eject_for: s.duration({ doc: 'How long an ejected parent is skipped when no health check brings it back sooner.', default: '30s', min: 1 }),
  health_interval: s.duration({ doc: 'Time between two checks of a parent\'s health_url.', default: '2s', min: 10 }),
  health_timeout: s.duration({ doc: 'Time a health check may take before it counts as failed.', default: '1s', min: 1 }),
  connections: s.int({ doc: 'Most connections to each parent.', default: 128, min: 1 }),
};

export const upstreamField: s.Field<UpstreamConfig> = s.object(upstreamShape, {
  doc: 'The shield tier: parent edgehook nodes asked before the origin (see README, "Shield tier").',
});

/** Parents with one id each, none of them this node. */
export function checkParents<C extends { readonly listen: HostPort; readonly upstream: UpstreamConfig; readonly proxy: { readonly cdnLoop: CdnLoopConfig } }>(
  config: C, ctx: s.ParseContext,
): C | s.Invalid {
  const seen = new Set<string>();
  let ok = true;
  config.upstream.parents.forEach((parent, index) => {
    const at = s.at(s.at(s.at(ctx, 'upstream'), 'parents'), index);
    if (seen.has(parent.id)) {
      s.report(s.at(at, 'id'), `expected each parent once, got a second parent with id ${parent.id}`);
      ok = false;
    }
    seen.add(parent.id);
    const own = config.proxy.cdnLoop;
    if (parent.cdnId === own.cdnId && own.maxAllowedOccurrences === 0) {
      // That parent would find its own id on every request from here and answer 508.
      s.report(s.at(at, 'cdn_id'), `expected a cdn_id other than this node's proxy.cdn_loop.cdn_id (${own.cdnId}): give each tier its own, or the parent refuses every request as a loop`);
      ok = false;
    }
    const url = new URL(parent.url);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    if (config.listen.port !== 0 && port === config.listen.port && url.hostname.replace(/^\[|\]$/g, '') === config.listen.host) {
      s.expected(s.at(at, 'url'), 'a parent other than this node', parent.url, ` (listen is ${formatHostPort(config.listen)})`);
      ok = false;
    }
  });
  return ok ? config : s.INVALID;
}

/** Fails to compile when the schema and the declared type disagree. */
export type UpstreamSchemaMatches = s.SameShape<s.ObjectValue<typeof upstreamShape>, UpstreamConfig>;
