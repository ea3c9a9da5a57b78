/**
 * Span timestamps: wall-clock milliseconds since the epoch, read from the monotonic clock plus an
 * offset to the wall clock. The offset is re-read at most once a second, so a node running for
 * weeks follows NTP's corrections (as the SDK does by calling `Date.now()` for every span) at a
 * fraction of the cost, while a span's duration is always measured on the monotonic clock.
 */
import type { HrTime, TimeInput } from '@opentelemetry/api';

const REFRESH_MS = 1000;

export class SpanClock {
  #offsetMs = Date.now() - performance.now();
  #refreshedAt = performance.now();

  /** What to add to a `performance.now()` reading taken just now to get epoch milliseconds. */
  offsetMs(monotonicMs: number): number {
    if (monotonicMs - this.#refreshedAt > REFRESH_MS) {
      this.#offsetMs = Date.now() - monotonicMs;
      this.#refreshedAt = monotonicMs;
    }
    return this.#offsetMs;
  }

  /**
   * A caller's time as epoch milliseconds. A number not later than `performance.now()` is a
   * monotonic reading (as the SDK reads it: it is how edgehook backdates a span to work timed
   * before it was known to deserve one); a later number is epoch milliseconds.
   */
  toEpochMs(time: TimeInput): number {
    if (typeof time === 'number') return time <= performance.now() ? this.#offsetMs + time : time;
    if (time instanceof Date) return time.getTime();
    return hrTimeToMs(time);
  }
}

function hrTimeToMs([seconds, nanos]: HrTime): number {
  return seconds * 1000 + nanos / 1e6;
}
