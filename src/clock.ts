/** Injected time source so freshness and circuit logic are testable without sleeping. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch (for HTTP dates and ages). */
  now(): number;
  /** Monotonic milliseconds (for durations and deadlines). */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};
