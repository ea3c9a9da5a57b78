/**
 * An origin response body as undici delivers it, without a Node stream in between. The two hot
 * consumers — a client response being written, a shared cache fill — take chunks straight from
 * undici's handler callbacks and push back by pausing it, which saves a Readable per response,
 * its buffering, `pipe()`'s listeners and the ticks between them (measured in
 * docs/performance.md). Consumers that need a stream (a hook buffering the body, image
 * inspection, slices read as async iterables) ask for one with `toReadable()`.
 *
 * Until a consumer attaches, undici is kept paused, so no chunk has to be held here.
 */
import { Readable } from 'node:stream';

/** Where the chunks go. `write` returning false means "full": call `resume()` once drained. */
export interface BodySink {
  write(chunk: Buffer): boolean;
  end(): void;
  error(error: Error): void;
}

/** The side of undici's request the body steers (a DispatchController). */
export interface BodyControl {
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

type State = 'open' | 'ended' | 'failed' | 'discarded';

export class OriginBody {
  readonly #control: BodyControl;
  #sink: BodySink | null = null;
  #state: State = 'open';
  #error: Error | null = null;
  #paused = true;
  #closeListeners: (() => void)[] | null = null;
  /** Chunks that came before a consumer attached (undici is paused until then, so rarely any). */
  #early: Buffer[] | null = null;

  constructor(control: BodyControl) {
    this.#control = control;
    control.pause();
  }

  /** True once the body ended, failed or was discarded: no more chunks will come. */
  get closed(): boolean {
    return this.#state !== 'open';
  }

  get ended(): boolean {
    return this.#state === 'ended';
  }

  /** Hands every chunk to `sink` from now on. One consumer per body. */
  pipeTo(sink: BodySink): void {
    if (this.#sink !== null) throw new Error('origin body already has a consumer');
    this.#sink = sink;
    const early = this.#early;
    this.#early = null;
    if (early !== null) for (const chunk of early) sink.write(chunk);
    if (this.#state === 'ended') sink.end();
    else if (this.#state === 'failed') sink.error(this.#error!);
    else if (this.#state === 'open') this.resume();
  }

  pause(): void {
    if (this.#paused || this.#state !== 'open') return;
    this.#paused = true;
    this.#control.pause();
  }

  /** Lets undici send on; only a consumer that is attached (pipeTo) can ask for more. */
  resume(): void {
    if (!this.#paused || this.#state !== 'open' || this.#sink === null) return;
    this.#paused = false;
    this.#control.resume();
  }

  /** Reads the rest and drops it (a 304's empty body): the connection stays reusable. */
  dump(): void {
    if (this.#sink === null) this.pipeTo(DROP);
  }

  /** Nobody wants the rest: the origin request is aborted (its connection is not reused). */
  discard(): void {
    if (this.#state !== 'open') return;
    this.#state = 'discarded';
    this.#control.abort(new DiscardedBody());
    this.#close();
  }

  /** Told once the body is closed (ended, failed or discarded); at once if it is already. */
  onClose(listener: () => void): void {
    if (this.#state !== 'open') listener();
    else (this.#closeListeners ??= []).push(listener);
  }

  /** The body as a Readable, for consumers that need a stream. Destroying it discards the body. */
  toReadable(): Readable {
    const readable = new Readable({
      read: () => this.resume(),
      destroy: (error, callback) => {
        this.discard();
        callback(error);
      },
    });
    this.pipeTo({
      write: (chunk) => readable.push(chunk),
      end: () => readable.push(null),
      error: (error) => readable.destroy(error),
    });
    return readable;
  }

  // Called by the origin client's dispatch handler.

  /** A chunk from undici; pauses it when the consumer is full. */
  deliver(chunk: Buffer): void {
    if (this.#state !== 'open') return;
    if (this.#sink === null) (this.#early ??= []).push(chunk);
    else if (!this.#sink.write(chunk)) this.pause();
  }

  finish(): void {
    if (this.#state !== 'open') return;
    this.#state = 'ended';
    this.#sink?.end();
    this.#close();
  }

  fail(error: Error): void {
    if (this.#state !== 'open') return;
    this.#state = 'failed';
    this.#error = error;
    this.#sink?.error(error);
    this.#close();
  }

  #close(): void {
    const listeners = this.#closeListeners;
    this.#closeListeners = null;
    if (listeners !== null) for (const listener of listeners) listener();
  }
}

/** The reason undici is given when a body is discarded; never reported as a failure. */
export class DiscardedBody extends Error {
  constructor() {
    super('origin body discarded');
    this.name = 'DiscardedBody';
  }
}

const DROP: BodySink = { write: () => true, end: () => {}, error: () => {} };

/** A body that may arrive as a stream (an origin body, a replayed image) or is whole already. */
export type StreamedBody = OriginBody | Readable;

/** A streamed body as a Readable (the slow consumers' view). */
export function readableOf(body: StreamedBody): Readable {
  return body instanceof OriginBody ? body.toReadable() : body;
}
