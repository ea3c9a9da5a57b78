/**
 * Per-hook circuit breaker: `failures` failures within `windowMs` trip it; while open the hook's
 * on_error policy applies without calling it; after `cooldownMs` one trial call is let through
 * (half-open): success closes it, failure opens it again.
 */
import type { Clock } from '../clock.ts';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitOptions {
  readonly failures: number;
  readonly windowMs: number;
  readonly cooldownMs: number;
}

export const DEFAULT_CIRCUIT: CircuitOptions = { failures: 5, windowMs: 10_000, cooldownMs: 30_000 };

export class CircuitBreaker {
  readonly #options: CircuitOptions;
  readonly #clock: Clock;
  #failures: number[] = [];
  #openedAt: number | undefined;
  #trialInFlight = false;

  constructor(options: CircuitOptions, clock: Clock) {
    this.#options = options;
    this.#clock = clock;
  }

  get state(): CircuitState {
    if (this.#openedAt === undefined) return 'closed';
    return this.#clock.monotonic() - this.#openedAt >= this.#options.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether a call may go to the guest now (claims the single half-open trial). */
  allow(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.#trialInFlight) return false;
    this.#trialInFlight = true;
    return true;
  }

  success(): void {
    this.#trialInFlight = false;
    this.#openedAt = undefined;
    this.#failures = [];
  }

  failure(): void {
    const now = this.#clock.monotonic();
    if (this.#trialInFlight) {
      this.#trialInFlight = false;
      this.#openedAt = now;
      return;
    }
    this.#failures = this.#failures.filter((t) => now - t < this.#options.windowMs);
    this.#failures.push(now);
    if (this.#failures.length >= this.#options.failures) this.#openedAt = now;
  }
}
