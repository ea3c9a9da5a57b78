/**
 * A batch span processor that encodes each sampled span as it ends (OTLP protobuf,
 * otlp-span-encoder.ts) and sends the encoded batch when it holds `maxExportBatchSize` spans or
 * `scheduledDelayMs` after its first span — the SDK's BatchSpanProcessor, except that what waits
 * for the export is bytes, not span objects. At a proxy's request rate a queue of span objects
 * outlives young-generation collections (which then copy and promote every span); encoded at
 * the end, a span dies young. As the SDK's processor, it sends one batch at a time (a collector
 * that slows down is not answered with more concurrent requests), spans past `maxQueueSize`
 * waiting are dropped and counted, and an export that outlives `exportTimeoutMs` is given up on.
 */
import { diag, TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { SpanBatchEncoder, type EncodedSpanBatch } from './otlp-span-encoder.ts';

/** Where encoded batches go: an OTLP/HTTP protobuf exporter (otlp-proto-span-exporter.ts). */
export interface EncodedSpanExporter {
  export(batch: EncodedSpanBatch, done: (result: ExportResult) => void): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface EncodingSpanProcessorOptions {
  readonly scheduledDelayMs: number;
  readonly exportTimeoutMs: number;
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
  /**
   * Told of a failed export or of spans dropped because exports fell behind, at most once per
   * `REPORT_EVERY_MS` (a collector that is down must not flood the log) and once more at shutdown,
   * with what was lost since the last report. The SDK's processor says it to `diag`, which nobody
   * reads by default.
   */
  readonly onLoss?: (loss: SpanLoss) => void;
}

export interface SpanLoss {
  /** The last export error, when exports failed. */
  readonly error: string | undefined;
  readonly failedExports: number;
  readonly spansLost: number;
}

const REPORT_EVERY_MS = 10_000;

export class EncodingSpanProcessor implements SpanProcessor {
  readonly #exporter: EncodedSpanExporter;
  readonly #options: EncodingSpanProcessorOptions;
  readonly #encoder = new SpanBatchEncoder();
  /** Closed batches waiting for the one export in flight. */
  readonly #ready: EncodedSpanBatch[] = [];
  #sending: Promise<void> | null = null;
  /** Set while the open batch waits for a resource's async attributes (written when it closes). */
  #resourcesSettling: Promise<void> | null = null;
  /** Spans encoded and not yet answered for (open batch, ready batches, the one being sent). */
  #waiting = 0;
  #dropped = 0;
  #unreported = { error: undefined as string | undefined, failedExports: 0, spansLost: 0 };
  #reportedAt = -Infinity;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(exporter: EncodedSpanExporter, options: EncodingSpanProcessorOptions) {
    this.#exporter = exporter;
    this.#options = options;
  }

  /** Spans dropped because the queue was full (exports falling behind). */
  get droppedSpans(): number {
    return this.#dropped;
  }

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.#stopped || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.#waiting >= this.#options.maxQueueSize) {
      this.#dropped++;
      this.#lost(1, undefined);
      return;
    }
    this.#encoder.add(span);
    this.#waiting++;
    if (this.#encoder.count >= this.#options.maxExportBatchSize) this.#closeBatch();
    else if (this.#timer === null) {
      this.#timer = setTimeout(() => this.#closeBatch(), this.#options.scheduledDelayMs);
      this.#timer.unref();
    }
  }

  async forceFlush(): Promise<void> {
    this.#closeBatch();
    while (this.#resourcesSettling !== null || this.#sending !== null) await (this.#resourcesSettling ?? this.#sending);
    await this.#exporter.forceFlush();
  }

  async shutdown(): Promise<void> {
    if (this.#stopped) return;
    await this.forceFlush();
    this.#stopped = true;
    // Losses held back by the report interval are said before the node goes.
    if (this.#unreported.spansLost > 0) this.#report();
    await this.#exporter.shutdown();
  }

  /** Ends the open batch (full, or its delay passed) and queues it for sending. */
  #closeBatch(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#encoder.count === 0 || this.#resourcesSettling !== null) return;
    const pending = [...this.#encoder.resources()].filter((resource) => resource.asyncAttributesPending === true);
    if (pending.length > 0) {
      // As the SDK's processor: a resource whose detectors are still answering is waited for.
      this.#resourcesSettling = Promise.all(pending.map((resource) => resource.waitForAsyncAttributes?.())).then(() => {
        this.#resourcesSettling = null;
        this.#closeBatch();
      }, () => {
        this.#resourcesSettling = null;
        this.#closeBatch();
      });
      return;
    }
    this.#ready.push(this.#encoder.take());
    this.#pump();
  }

  /** Sends the next ready batch unless one is being sent. */
  #pump(): void {
    if (this.#sending !== null) return;
    const batch = this.#ready.shift();
    if (batch === undefined) return;
    this.#sending = this.#export(batch).finally(() => {
      this.#sending = null;
      this.#pump();
    });
  }

  #export(batch: EncodedSpanBatch): Promise<void> {
    return new Promise<ExportResult>((resolve) => {
      const timeout = setTimeout(() => resolve({ code: ExportResultCode.FAILED, error: new Error('span export timed out') }), this.#options.exportTimeoutMs);
      timeout.unref();
      this.#exporter.export(batch, (result) => {
        clearTimeout(timeout);
        resolve(result);
      });
    }).then((result) => {
      this.#waiting -= batch.spanCount;
      if (result.code !== ExportResultCode.SUCCESS) this.#lost(batch.spanCount, result.error?.message ?? 'unknown error');
    });
  }

  #lost(spans: number, error: string | undefined): void {
    const loss = this.#unreported;
    loss.spansLost += spans;
    if (error !== undefined) {
      loss.failedExports++;
      loss.error = error;
    }
    if (performance.now() - this.#reportedAt >= REPORT_EVERY_MS) this.#report();
  }

  #report(): void {
    const loss = this.#unreported;
    this.#reportedAt = performance.now();
    this.#unreported = { error: undefined, failedExports: 0, spansLost: 0 };
    if (this.#options.onLoss === undefined) diag.error(`spans lost: ${loss.spansLost} (${loss.error ?? 'queue full'})`);
    else this.#options.onLoss(loss);
  }
}
