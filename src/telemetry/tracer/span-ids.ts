/**
 * Trace and span ids for the node's tracer: hex strings cut from a pool of random bytes filled a
 * few kilobytes at a time, so a span costs two string slices instead of a crypto call (or 24
 * Math.random() calls and a join, as the SDK's generator makes) per id. Ids are random as the W3C
 * Trace Context asks (its "random" flag), and never all zeros, which the API treats as invalid.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

export class SpanIdPool {
  readonly #bytes = Buffer.allocUnsafe(POOL_BYTES);
  #hex = '';
  #offset = POOL_BYTES * 2;

  /** 32 hex digits. */
  traceId(): string {
    const id = this.#take(32);
    return id === INVALID_TRACE_ID ? this.traceId() : id;
  }

  /** 16 hex digits. */
  spanId(): string {
    const id = this.#take(16);
    return id === INVALID_SPAN_ID ? this.spanId() : id;
  }

  #take(digits: number): string {
    if (this.#offset + digits > this.#hex.length) {
      randomFillSync(this.#bytes);
      this.#hex = this.#bytes.toString('hex');
      this.#offset = 0;
    }
    const id = this.#hex.slice(this.#offset, this.#offset + digits);
    this.#offset += digits;
    return id;
  }
}
