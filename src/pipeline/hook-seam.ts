/**
 * The seam between the request pipeline and the hook runtime. The pipeline owns every piece of
 * request/response state; a phase chain reads it and applies validated edits to it in place,
 * then returns one verdict. The pipeline cannot tell native and Wasm hooks apart.
 *
 * Phase order (Envoy's filter-chain rule): request phases run hooks in configuration order,
 * response phases in reverse. The first verdict other than `continue` ends the phase.
 */
import type { Span } from '@opentelemetry/api';
import type { GeoAttributes } from '../attributes/geo.ts';
import type { ImageAbsentReason, ImageAttributes } from '../attributes/image.ts';
import type { TransformSpec } from '../attributes/transform-spec.ts';
import type { HeaderMap } from '../http/header-map.ts';

export type { GeoAttributes, ImageAbsentReason, ImageAttributes, TransformSpec };

export type PhaseName = 'on-request' | 'on-origin-response' | 'on-response';

/** Which cache path produced the response a response phase sees. */
export type ResponseSource = 'hit' | 'stale' | 'revalidated' | 'miss' | 'pass' | 'local' | 'error';

/** Lazily resolved per-request attributes (src/attributes). */
export interface RequestAttributes {
  readonly clientIp: string;
  /**
   * Geo attributes of the client, looked up at most once per request and only when a hook on the
   * route declares it reads geo (RouteHooks.readsGeo); undefined when unknown or not declared.
   */
  geo(): GeoAttributes | undefined;
  /**
   * Image attributes of the response a response phase sees, when a hook on the route declares it
   * reads them (RouteHooks.readsImage) and the body is an image within the limits. Computed once
   * on the miss and stored with the object: a hit does not decode again. undefined in on-request.
   */
  image(): ImageAttributes | undefined;
  /** Why image() is undefined for an image response (too-large, too-many-pixels, corrupt, …). */
  imageAbsentReason?(): ImageAbsentReason | undefined;
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
  /**
   * on-request only: ask for a transformed variant of the image at this URL. The cache key gets the
   * canonical transform; on a miss the original is looked up (or fetched) and transformed once.
   * Preset from the query when the route has `image.transform_query`; a hook may change or delete it.
   */
  transform?: TransformSpec;
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
  /**
   * on-origin-response only: transform the image before it is stored (and served). Refused by a
   * limit, the original is stored unchanged (logged). Format "auto" adds Vary: Accept.
   */
  transform?: TransformSpec;
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

/** A value now, or a promise of it: hook calls answer synchronously when the guest does. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * `phaseSpan` is the pipeline's span for this phase run (null: tracing off or sampled out); the
 * runtime parents one span per hook call on it. A chain whose hooks all answered synchronously
 * returns its verdict, not a promise: a hooked cache hit then stays synchronous, as an unhooked one.
 */
export interface RequestPhaseChain {
  /** `skip`: names of hooks not called this time (a body over their bound, body-fit.ts). */
  run(request: HookRequestState, phaseSpan?: Span | null, skip?: ReadonlySet<string>): MaybePromise<PhaseVerdict>;
}

export interface ResponsePhaseChain {
  run(request: HookRequestState, response: HookResponseState, phaseSpan?: Span | null, skip?: ReadonlySet<string>): MaybePromise<PhaseVerdict>;
}

/** What a body over a hook's bound does (hooks[].body.overflow). */
export type BodyOverflow = 'error' | 'pass';

/** A hook on a route that reads bodies in one direction: its bound and its overflow policy. */
export interface BodyReaderHook {
  readonly name: string;
  /** Its phases: a skip is said (and matters) only in a phase the hook runs in. */
  readonly phases: readonly PhaseName[];
  readonly maxBytes: number;
  readonly overflow: BodyOverflow;
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
  /**
   * The hooks behind those two bounds (body.request > 0, body.response > 0), config order.
   * Absent: every reader's overflow is `error` (a body over the route's bound is refused).
   */
  readonly requestBodyReaders?: readonly BodyReaderHook[];
  readonly responseBodyReaders?: readonly BodyReaderHook[];
  /** A hook on the route reads geo (its component imports request.geo): RequestAttributes.geo() looks it up (default false: never looked up). */
  readonly readsGeo?: boolean;
  /** A response-phase hook on the route imports response.image: image responses are inspected on the miss (default false). */
  readonly readsImage?: boolean;
  /** Names of the hooks bound to the route, in configuration order (the route's identity in traces). */
  readonly hookNames?: readonly string[];
}

/** Selects the hooks for a request; built once at startup (and on hot reload), frozen. */
export interface HookPlan {
  select(method: string, authority: string, path: string): RouteHooks | null;
}
