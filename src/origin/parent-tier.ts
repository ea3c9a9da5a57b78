/**
 * The shield tier as an OriginClient: the pipeline asks it exactly what it would ask the origin,
 * and it picks who answers. A cache fill goes to its key's home parent by rendezvous hashing
 * (rendezvous.ts) over the authority and path+query it asks for — the parts of the parent's own
 * cache key — so every edge asks the same parent for an object and the parent caches it under
 * the key the edge has. A parent that cannot answer (ejected, connection failed, its own 5xx) is
 * passed over for the next in the ranking, then for the origin when `direct` allows it.
 *
 * Requests that are not cache fills (uploads, credentialed or uncacheable requests) go straight
 * to the origin when `direct` allows: the parent could not store them either, and a streamed
 * request body cannot be sent a second time to fail over. With `direct` off they go to their
 * home parent, failing over only while no body has been sent.
 *
 * Loops (RFC 8586): a parent whose cdn_id the request's CDN-Loop already names has seen this
 * request — it is this node's child pointing back — and is skipped; a parent that answers 508
 * is treated the same way after the fact. Either way the request moves on rather than round.
 */
import { countCdnLoop } from '../http/cdn-loop.ts';
import { EdgehookError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { toOriginError, type OriginClient, type OriginRequest, type OriginResponse } from './origin-client.ts';
import { classifyParentAnswer } from './parent-answer.ts';
import type { ParentHealth } from './parent-health.ts';
import { rankByRendezvous } from './rendezvous.ts';
import { UPSTREAM_LOG_CODES } from './upstream-log-codes.ts';

export interface Parent {
  readonly id: string;
  readonly weight: number;
  readonly cdnId: string | null;
  readonly client: OriginClient;
}

/** Why a fetch left a parent for the next candidate (a bounded set: a metric label). */
export type FailoverReason = 'error' | 'parent-5xx' | 'loop';

export interface ParentTierOptions {
  readonly origin: OriginClient;
  readonly parents: readonly Parent[];
  readonly direct: boolean;
  readonly health: ParentHealth;
  readonly logger: Logger;
  readonly onFailover: (parent: string, reason: FailoverReason) => void;
  /** Ends health checks; called by close(). */
  readonly stopChecks: () => Promise<void>;
}

export function createParentTier(options: ParentTierOptions): OriginClient {
  const { origin, direct } = options;
  return {
    authority: origin.authority,
    request(request) {
      if (request.cacheFill !== true && direct) return origin.request(request);
      return viaParents(options, request, candidatesFor(options, request));
    },
    connections: () => [...origin.connections(), ...options.parents.flatMap((parent) => parent.client.connections())],
    async close() {
      await options.stopChecks();
      await Promise.all([origin.close(), ...options.parents.map((parent) => parent.client.close())]);
    },
  };
}

/** The parents this request may go to, home first: loops skipped, ejected ones too unless none is left. */
function candidatesFor(options: ParentTierOptions, request: OriginRequest): Parent[] {
  const loop = fieldText(request.headers['cdn-loop']);
  const ranked = rankByRendezvous(routingKey(request), options.parents)
    .filter((parent) => parent.cdnId === null || loop === undefined || (countCdnLoop(loop, parent.cdnId) ?? 0) === 0);
  const available = ranked.filter((parent) => options.health.isAvailable(parent.id));
  // With nowhere else to go, an ejected parent is better than no answer (Envoy's panic routing).
  return available.length === 0 && !options.direct ? ranked : available;
}

/** What the parent's cache key is made of: the Host sent and the path+query asked for. */
export function routingKey(request: Pick<OriginRequest, 'headers' | 'path'>): string {
  return `${fieldText(request.headers.host) ?? ''}${request.path}`;
}

async function viaParents(options: ParentTierOptions, request: OriginRequest, candidates: readonly Parent[]): Promise<OriginResponse> {
  // A streamed body can be sent once: with one, the first candidate is the only one.
  const tries = request.body !== null && !Buffer.isBuffer(request.body) ? candidates.slice(0, 1) : candidates;
  let lastError: EdgehookError | null = null;
  for (let i = 0; i < tries.length; i++) {
    const parent = tries[i]!;
    const more = i < tries.length - 1 || options.direct;
    let response: OriginResponse;
    try {
      response = await parent.client.request(request);
    } catch (error) {
      lastError = toOriginError(error);
      // A full queue of this node's own connections to the parent says nothing of the parent.
      if (lastError.code !== 'EH_OVERLOADED') options.health.failed(parent.id, lastError.code);
      if (more) noteFailover(options, parent.id, 'error', lastError.code);
      continue;
    }
    const answer = classifyParentAnswer(response.status, response.headers);
    if (answer === 'ok') {
      options.health.succeeded(parent.id);
      return response;
    }
    if (answer === 'parent-fault') options.health.failed(parent.id, `status ${response.status}`);
    if (!more) return response;
    response.body.dump();
    noteFailover(options, parent.id, answer === 'loop' ? 'loop' : 'parent-5xx', `status ${response.status}`);
  }
  if (options.direct) return options.origin.request(request);
  throw lastError ?? new EdgehookError('EH_ORIGIN_CONNECT', 'no parent can take this request (every one is on its CDN-Loop path) and upstream.direct is false');
}

function noteFailover(options: ParentTierOptions, parent: string, reason: FailoverReason, detail: string): void {
  options.onFailover(parent, reason);
  const fields = { code: UPSTREAM_LOG_CODES.failover, parent, reason, detail };
  // A loop is a topology mistake (a parent that leads back here, or a shared cdn_id): say it louder.
  if (reason === 'loop') options.logger.warn('parent failed over', fields);
  else options.logger.info('parent failed over', fields);
}

function fieldText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
