/**
 * One origin body read once and delivered to several readers: the request that fetched it, the
 * collapsed requests that waited for it, and the cache. Each reader takes chunks at its own pace
 * (a reader says when it is full and is resumed when it drains), so a client that stops reading
 * never makes the node write into its socket without bound.
 *
 * Flow control has two regimes (issue 8, defect 2):
 * - While the body is *retained* — every chunk kept because the whole object will be stored, up
 *   to cache.max_object_bytes — a slow reader costs nothing extra: it follows the chunks the store
 *   keeps anyway. The origin is read at its own speed, so one slow client cannot hold back a fill
 *   that every other client (and the cache) is waiting for.
 * - Once the body outgrows retention, chunks are kept only until every reader has taken them.
 *   Then the *pacer* (the first reader still attached: normally the request that led the fetch)
 *   pauses the origin while it is more than `pauseLag` bytes behind, and any other reader more
 *   than `maxReaderLag` behind is cut (undici's deduplication handler uses the same rule: the
 *   primary paces, a waiter that overflows its buffer is dropped). With no reader left, the
 *   origin fetch is abandoned: nobody can join a body that is no longer replayable.
 */
import { EdgehookError } from '../errors.ts';

export interface BodyReader {
  /**
   * Takes one chunk. Returning false means "full": no more chunks until the reader calls
   * `resume` (the same function every time, for this subscription), e.g. on its socket's drain.
   */
  onChunk(chunk: Buffer, resume: () => void): boolean;
  onEnd(): void;
  onError(error: Error): void;
}

/** The origin side, as far as the shared body steers it. */
export interface BodySource {
  pause(): void;
  resume(): void;
  /** Nobody needs the rest: stop fetching it. */
  abandon(): void;
}

export interface SharedBodyOptions {
  /** Bytes kept for storing and for late joiners; past this the body is no longer retained. */
  readonly retainBytes: number;
  /** Unretained: the pacer's lag at which the origin is paused. */
  readonly pauseLag: number;
  /** Unretained: the lag at which any other reader is cut. */
  readonly maxReaderLag: number;
  /** Told of each reader cut for lagging (for a log line and a metric). */
  readonly onReaderCut?: (lagBytes: number) => void;
}

class Subscription {
  /** Absolute number of the next chunk this reader takes. */
  next = 0;
  /** Bytes handed to the reader so far. */
  taken = 0;
  full = false;
  done = false;
  readonly reader: BodyReader;
  readonly resume: () => void;

  constructor(reader: BodyReader, onResume: (subscription: Subscription) => void) {
    this.reader = reader;
    this.resume = () => onResume(this);
  }
}

export class SharedBody {
  readonly #subscriptions: Subscription[] = [];
  /** Chunks not yet dropped; #chunks[0] is chunk number #firstNumber. */
  #chunks: Buffer[] = [];
  #firstNumber = 0;
  #bytes = 0;
  #retained = true;
  #state: 'open' | 'ended' | 'failed' | 'abandoned' = 'open';
  #error: Error | null = null;
  #source: BodySource | null = null;
  #sourcePaused = false;
  readonly #options: SharedBodyOptions;
  readonly #settled: Promise<void>;
  #settle: () => void = () => {};

  constructor(options: SharedBodyOptions) {
    this.#options = options;
    this.#settled = new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  /** A body that is whole from the start (a transformed image, an object a peer stored): retained, never paced. */
  static whole(data: Buffer): SharedBody {
    const body = new SharedBody({ retainBytes: data.length, pauseLag: data.length, maxReaderLag: data.length });
    body.push(data);
    body.end();
    return body;
  }

  /** Lets the body pause, resume and abandon the origin it is read from. */
  attachSource(source: BodySource): void {
    this.#source = source;
  }

  /** Resolves once late readers can no longer join: the body ended, failed, or outgrew retention. */
  whenSettled(): Promise<void> {
    return this.#settled;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** True while every chunk is kept (and will be): the body can be stored and replayed. */
  get complete(): boolean {
    return this.#retained && this.#state !== 'failed';
  }

  get ended(): boolean {
    return this.#state === 'ended';
  }

  /** The origin fetch was given up because no reader was left to take an unretained body. */
  get abandoned(): boolean {
    return this.#state === 'abandoned';
  }

  /** Readers attached now (for tests and metrics). */
  get readers(): number {
    return this.#subscriptions.length;
  }

  push(chunk: Buffer): void {
    if (this.#state !== 'open') return;
    this.#bytes += chunk.length;
    this.#chunks.push(chunk);
    if (this.#retained && this.#bytes > this.#options.retainBytes) {
      this.#retained = false;
      this.#settle();
    }
    // A copy: a reader may leave (or be ended) while it is handed a chunk.
    for (const subscription of this.#subscriptions.slice()) this.#deliver(subscription);
    this.#steer();
  }

  end(): void {
    if (this.#state !== 'open') return;
    this.#state = 'ended';
    for (const subscription of [...this.#subscriptions]) this.#deliver(subscription);
    this.#settle();
  }

  fail(error: Error): void {
    if (this.#state !== 'open') return;
    this.#state = 'failed';
    this.#error = error;
    this.#retained = false;
    this.#chunks = [];
    for (const subscription of this.#subscriptions.splice(0)) {
      subscription.done = true;
      subscription.reader.onError(error);
    }
    this.#settle();
  }

  /** Whole body, when it ended and was kept in full. */
  buffer(): Buffer | null {
    return this.#state === 'ended' && this.#retained ? Buffer.concat(this.#chunks, this.#bytes) : null;
  }

  /** Adds a reader, replaying what it missed; false when the body can no longer be replayed from the start. */
  subscribe(reader: BodyReader): boolean {
    if (this.#state === 'abandoned') return false;
    if (this.#state === 'failed') {
      reader.onError(this.#error ?? new Error('origin body failed'));
      return true;
    }
    if (this.#firstNumber > 0) return false;
    const subscription = new Subscription(reader, (s) => this.#resume(s));
    this.#subscriptions.push(subscription);
    this.#deliver(subscription);
    this.#steer();
    return true;
  }

  unsubscribe(reader: BodyReader): void {
    const at = this.#subscriptions.findIndex((s) => s.reader === reader);
    if (at === -1) return;
    this.#subscriptions[at]!.done = true;
    this.#subscriptions.splice(at, 1);
    this.#steer();
  }

  #resume(subscription: Subscription): void {
    if (subscription.done) return;
    subscription.full = false;
    this.#deliver(subscription);
    this.#steer();
  }

  /** Hands the reader what it has not taken yet, until it is full; ends it when the body has ended. */
  #deliver(subscription: Subscription): void {
    const available = this.#firstNumber + this.#chunks.length;
    while (!subscription.full && !subscription.done && subscription.next < available) {
      const chunk = this.#chunks[subscription.next - this.#firstNumber]!;
      subscription.next++;
      subscription.taken += chunk.length;
      if (!subscription.reader.onChunk(chunk, subscription.resume)) subscription.full = true;
    }
    if (this.#state === 'ended' && !subscription.done && subscription.next === available) {
      subscription.done = true;
      this.#subscriptions.splice(this.#subscriptions.indexOf(subscription), 1);
      subscription.reader.onEnd();
    }
  }

  /** After any change: cut laggards, pause or resume the origin, drop chunks nobody needs. */
  #steer(): void {
    if (this.#retained || this.#state !== 'open') return;
    const [pacer, ...others] = this.#subscriptions;
    for (const subscription of others) {
      const lag = this.#bytes - subscription.taken;
      if (lag > this.#options.maxReaderLag) this.#cut(subscription, lag);
    }
    if (pacer === undefined) {
      this.#state = 'abandoned';
      this.#chunks = [];
      this.#settle();
      this.#source?.abandon();
      return;
    }
    const behind = this.#bytes - pacer.taken > this.#options.pauseLag;
    if (behind !== this.#sourcePaused) {
      this.#sourcePaused = behind;
      if (behind) this.#source?.pause();
      else this.#source?.resume();
    }
    this.#dropTaken();
  }

  #cut(subscription: Subscription, lag: number): void {
    subscription.done = true;
    this.#subscriptions.splice(this.#subscriptions.indexOf(subscription), 1);
    this.#options.onReaderCut?.(lag);
    subscription.reader.onError(new EdgehookError('EH_CLIENT_TOO_SLOW', `client fell ${lag} bytes behind the shared origin body`));
  }

  #dropTaken(): void {
    let oldest = this.#firstNumber + this.#chunks.length;
    for (const subscription of this.#subscriptions) oldest = Math.min(oldest, subscription.next);
    const drop = oldest - this.#firstNumber;
    if (drop <= 0) return;
    this.#chunks.splice(0, drop);
    this.#firstNumber = oldest;
  }
}
