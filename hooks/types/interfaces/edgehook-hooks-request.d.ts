/// <reference path="./edgehook-hooks-types.d.ts" />
declare module 'edgehook:hooks/request@0.1.0' {
  export function method(): string;
  /**
   * Path without the query, percent-encoding kept.
   */
  export function path(): string;
  /**
   * Query without the leading '?', "" when none.
   */
  export function query(): string;
  export function authority(): string;
  export function scheme(): string;
  export function clientIp(): string;
  export function geo(): GeoAttributes | undefined;
  /**
   * All values of a field joined with ", "; none when absent. Names are case-insensitive.
   */
  export function getHeader(name: string): string | undefined;
  export function getHeaderAll(name: string): Array<string>;
  export function headerNames(): Array<string>;
  export function setHeader(name: string, value: string): void;
  export function appendHeader(name: string, value: string): void;
  export function removeHeader(name: string): void;
  export function setMethod(method: string): void;
  export function setPath(path: string): void;
  export function setQuery(query: string): void;
  /**
   * Appends a part to the cache key (e.g. a device class).
   */
  export function addCacheKeyPart(part: string): void;
  /**
   * The buffered body when the hook opted in (config `body.request`), else none.
   */
  export function body(): Uint8Array | undefined;
  export function setBody(body: Uint8Array): void;
  /**
   * on-request: ask for a transformed variant of the image at this URL (GET and HEAD only).
   * The variant is cached under its own key; the original is fetched (or found) and transformed once.
   */
  export function setTransform(spec: TransformSpec): void;
  export type EditError = import('edgehook:hooks/types@0.1.0').EditError;
  export type GeoAttributes = import('edgehook:hooks/types@0.1.0').GeoAttributes;
  export type TransformSpec = import('edgehook:hooks/types@0.1.0').TransformSpec;
}
