/**
 * The request as the pipeline sees it after the on-request phase: either straight from Node's
 * parsed request (no hooks on the route: nothing is copied) or from the hook state the hooks
 * edited. Both answer the same questions, so the cache flow never knows which it has.
 */
import type { IncomingMessage } from 'node:http';
import type { HookRequestState } from './hook-seam.ts';

export interface RequestView {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly authority: string;
  readonly scheme: 'http' | 'https';
  readonly cacheKeyParts: readonly string[];
  /** Combined field value (lowercase name), undefined when absent. */
  header(name: string): string | undefined;
  /** Visits every field line, names as the client sent them (or lowercase after hooks). */
  forEachHeader(visit: (name: string, value: string) => void): void;
}

const NO_PARTS: readonly string[] = Object.freeze([]);

export function viewFromNode(
  req: IncomingMessage,
  target: { path: string; query: string; authority: string },
): RequestView {
  return new NodeRequestView(req, target);
}

/** Node's parsed request as a view: one object per request, its methods on the prototype. */
class NodeRequestView implements RequestView {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly authority: string;
  readonly scheme = 'http' as const;
  readonly cacheKeyParts = NO_PARTS;
  readonly #req: IncomingMessage;

  constructor(req: IncomingMessage, target: { path: string; query: string; authority: string }) {
    this.#req = req;
    this.method = req.method ?? 'GET';
    this.path = target.path;
    this.query = target.query;
    this.authority = target.authority;
  }

  header(name: string): string | undefined {
    const value = this.#req.headers[name];
    return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : value;
  }

  forEachHeader(visit: (name: string, value: string) => void): void {
    const raw = this.#req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) visit(raw[i]!, raw[i + 1]!);
  }
}

export function viewFromHookState(state: HookRequestState): RequestView {
  return new HookStateView(state);
}

/**
 * A class rather than an object literal with getters: literal accessors are defined per object
 * (slow to create, and the object leaves V8's fast shapes), prototype accessors are shared.
 */
class HookStateView implements RequestView {
  readonly #state: HookRequestState;

  constructor(state: HookRequestState) {
    this.#state = state;
  }

  get method(): string { return this.#state.method; }
  get path(): string { return this.#state.path; }
  get query(): string { return this.#state.query; }
  get authority(): string { return this.#state.authority; }
  get scheme(): 'http' | 'https' { return this.#state.scheme; }
  get cacheKeyParts(): readonly string[] { return this.#state.cacheKeyParts; }

  header(name: string): string | undefined {
    return this.#state.headers.get(name);
  }

  forEachHeader(visit: (name: string, value: string) => void): void {
    this.#state.headers.forEach(visit);
  }
}

export function pathAndQuery(view: Pick<RequestView, 'path' | 'query'>): string {
  return view.query === '' ? view.path : `${view.path}?${view.query}`;
}
