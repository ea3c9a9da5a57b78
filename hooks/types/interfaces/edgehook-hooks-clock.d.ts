declare module 'edgehook:hooks/clock@0.1.0' {
  /**
   * Nanoseconds from an arbitrary origin; only differences are meaningful.
   */
  export function monotonicNow(): bigint;
  /**
   * Wall-clock milliseconds since the Unix epoch (for expiry checks such as signed URLs).
   */
  export function wallNow(): bigint;
}
