/// <reference path="./edgehook-hooks-types.d.ts" />
declare module 'edgehook:hooks/response@0.1.0' {
  export function status(): number;
  export function setStatus(status: number): void;
  export function source(): ResponseSource;
  export function image(): ImageAttributes | undefined;
  export function getHeader(name: string): string | undefined;
  export function getHeaderAll(name: string): Array<string>;
  export function headerNames(): Array<string>;
  export function setHeader(name: string, value: string): void;
  export function appendHeader(name: string, value: string): void;
  export function removeHeader(name: string): void;
  export function body(): Uint8Array | undefined;
  export function setBody(body: Uint8Array): void;
  /**
   * on-origin-response only: transform the image before it is stored (and served).
   */
  export function setTransform(spec: TransformSpec): void;
  export type EditError = import('edgehook:hooks/types@0.1.0').EditError;
  export type ImageAttributes = import('edgehook:hooks/types@0.1.0').ImageAttributes;
  export type ResponseSource = import('edgehook:hooks/types@0.1.0').ResponseSource;
  export type TransformSpec = import('edgehook:hooks/types@0.1.0').TransformSpec;
}
