/// <reference path="./edgehook-hooks-types.d.ts" />
declare module 'edgehook:hooks/cache@0.1.0' {
  /**
   * Freshness lifetime in seconds; 0 = store but always revalidate.
   */
  export function setTtl(seconds: number): void;
  /**
   * false forbids storing; true stores what HTTP does not forbid.
   */
  export function setCacheable(cacheable: boolean): void;
  export function addTag(tag: string): void;
  export type EditError = import('edgehook:hooks/types@0.1.0').EditError;
}
