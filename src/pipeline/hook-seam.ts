/**
 * The seam between the request pipeline and the hook runtime. The pipeline owns every piece of
 * request/response state; a phase chain reads it and applies validated edits to it in place,
 * then returns one verdict. The pipeline cannot tell native and Wasm hooks apart.
 *
 * Phase order (Envoy's filter-chain rule): request phases run hooks in configuration order,
 * response phases in reverse. The first verdict other than `continue` ends the phase.
 */
import type { HeaderMap } from '../http/header-map.ts';

export type PhaseName = 'on-request' | 'on-origin-response' | 'on-response';

/** Which cache path produced the response a response phase sees. */
export type ResponseSource = 'hit' | 'stale' | 'revalidated' | 'miss' | 'pass' | 'local' | 'error';

/** Lazily resolved per-request attributes (client IP now; geo and image in their own issue). */
export interface RequestAttributes {
  readonly clientIp: string;
  /** Geo record for the client, resolved at most once per request; undefined when unknown. */
  geo(): Readonly<Record<string, unknown>> | undefined;
  /** Image attributes of the response body, when the response is an image and was inspected. */
  image(): Readonly<Record<string, unknown>> | undefined;
}

/** The request as hooks see and edit it. */
export interface HookRequestState {
  method: string;
  /** Path without the query string, as sent by the client (percent-encoding kept). */
  path: string;
  /** Query string without the leading '?', '' when none. */
  query: string;
  readonly authority: string;
  readonly scheme: 'http' | 'https';
  readonly headers: HeaderMap;
  /** Extra parts appended to the cache key (e.g. a device class); order matters. */
  readonly cacheKeyParts: string[];
  readonly attributes: RequestAttributes;
  /** Buffered request body, present only when a hook on the route opted in (bounded). */
  body: Buffer | null;
}

/** A response as response phases see and edit it. */
export interface HookResponseState {
  status: number;
  readonly headers: HeaderMap;
  /** Buffered body, present only when a hook on the route opted in (bounded); null = streamed. */
  body: Buffer | null;
  readonly source: ResponseSource;
  /** on-origin-response only: override the freshness lifetime in seconds (0 = store but always revalidate). */
  ttlSeconds?: number;
  /** on-origin-response only: false forbids storing the response, true asks to store what HTTP forbids not. */
  cacheable?: boolean;
  /** on-origin-response only: purge tags added to the stored object. */
  readonly tags: string[];
}

export interface LocalResponse {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/** The verdict of a phase: the same {tag, val} shape jco gives a WIT variant. */
export type PhaseVerdict =
  | { readonly tag: 'continue' }
  | { readonly tag: 'respond'; readonly val: LocalResponse };

export interface RequestPhaseChain {
  run(request: HookRequestState): Promise<PhaseVerdict>;
}

export interface ResponsePhaseChain {
  run(request: HookRequestState, response: HookResponseState): Promise<PhaseVerdict>;
}

/** The hook chains that apply to one route; each is null when empty so the hot path skips it. */
export interface RouteHooks {
  readonly onRequest: RequestPhaseChain | null;
  readonly onOriginResponse: ResponsePhaseChain | null;
  readonly onResponse: ResponsePhaseChain | null;
  /** Largest request body any hook on the route wants buffered (0 = stream untouched). */
  readonly requestBodyBytes: number;
  /** Largest response body any hook on the route wants buffered (0 = stream untouched). */
  readonly responseBodyBytes: number;
}

/** Selects the hooks for a request; built once at startup (and on hot reload), frozen. */
export interface HookPlan {
  select(method: string, authority: string, path: string): RouteHooks | null;
}
