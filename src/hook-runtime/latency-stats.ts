/** Call counters and a sliding sample of call durations for p50/p99 (last 1024 calls). */
const SAMPLE = 1024;

export class LatencyStats {
  calls = 0;
  errors = 0;
  readonly #samples = new Float64Array(SAMPLE);
  #next = 0;

  record(micros: number, failed: boolean): void {
    this.calls++;
    if (failed) this.errors++;
    this.#samples[this.#next % SAMPLE] = micros;
    this.#next++;
  }

  /**
   * Percentile (0..100) of the sampled durations in µs, to 0.1 µs (the timer's float noise, as
   * in 1816.1089999994147, says nothing past that); 0 before the first call.
   */
  percentile(p: number): number {
    const count = Math.min(this.#next, SAMPLE);
    if (count === 0) return 0;
    const sorted = this.#samples.slice(0, count).sort();
    return Math.round(sorted[Math.min(count - 1, Math.floor((p / 100) * count))]! * 10) / 10;
  }
}
