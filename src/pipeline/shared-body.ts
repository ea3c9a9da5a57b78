/**
 * One origin body read once and delivered to several readers: the request that fetched it, the
 * collapsed requests that waited for it, and the cache. Chunks are kept (up to a bound) so that a
 * reader joining late replays what it missed and then follows live; once the bound is crossed
 * the buffer is dropped and only readers already following keep receiving.
 */
export interface BodyReader {
  onChunk(chunk: Buffer): void;
  onEnd(): void;
  onError(error: Error): void;
}

export class SharedBody {
  readonly #readers = new Set<BodyReader>();
  #chunks: Buffer[] | null = [];
  #bytes = 0;
  #state: 'open' | 'ended' | 'failed' = 'open';
  #error: Error | null = null;
  readonly #maxBufferedBytes: number;
  readonly #settled: Promise<void>;
  #settle: () => void = () => {};

  constructor(maxBufferedBytes: number) {
    this.#maxBufferedBytes = maxBufferedBytes;
    this.#settled = new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  /** Resolves once late readers can no longer join: the body ended, failed, or outgrew the buffer. */
  whenSettled(): Promise<void> {
    return this.#settled;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** True while every chunk so far is still held: the body can be stored and replayed. */
  get complete(): boolean {
    return this.#chunks !== null;
  }

  get ended(): boolean {
    return this.#state === 'ended';
  }

  push(chunk: Buffer): void {
    this.#bytes += chunk.length;
    if (this.#chunks !== null) {
      if (this.#bytes > this.#maxBufferedBytes) {
        this.#chunks = null;
        this.#settle();
      } else this.#chunks.push(chunk);
    }
    for (const reader of this.#readers) reader.onChunk(chunk);
  }

  end(): void {
    this.#state = 'ended';
    for (const reader of this.#readers) reader.onEnd();
    this.#readers.clear();
    this.#settle();
  }

  fail(error: Error): void {
    this.#state = 'failed';
    this.#error = error;
    this.#chunks = null;
    for (const reader of this.#readers) reader.onError(error);
    this.#readers.clear();
    this.#settle();
  }

  /** Whole body, when it ended and was kept in full. */
  buffer(): Buffer | null {
    return this.#state === 'ended' && this.#chunks !== null ? Buffer.concat(this.#chunks, this.#bytes) : null;
  }

  /** Adds a reader; returns false when it can no longer replay from the start. */
  subscribe(reader: BodyReader): boolean {
    if (this.#chunks === null && this.#bytes > 0) return false;
    if (this.#state === 'failed') {
      reader.onError(this.#error ?? new Error('origin body failed'));
      return true;
    }
    for (const chunk of this.#chunks ?? []) reader.onChunk(chunk);
    if (this.#state === 'ended') reader.onEnd();
    else this.#readers.add(reader);
    return true;
  }

  unsubscribe(reader: BodyReader): void {
    this.#readers.delete(reader);
  }
}
