declare module 'edgehook:hooks/crypto@0.1.0' {
  export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  export function sha256(data: Uint8Array): Uint8Array;
  /**
   * Compares in time that depends only on the lengths.
   */
  export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean;
}
