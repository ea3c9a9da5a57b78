/**
 * The node's span: what `@opentelemetry/api` promises a span does, and what the SDK's span
 * processors and exporters read (its `ReadableSpan`), with nothing per span that can be shared or
 * computed later. Against the SDK's own span it leaves out the per-span `Date.now()`, the two
 * `HrTime` arrays made at start and end (times are kept as numbers; `startTime`, `endTime` and
 * `duration` are computed when an exporter asks), the copy and re-validation of every attribute
 * through generic helpers, and the fresh status, links and events objects of a span that never
 * uses them. Semantics follow the SDK's span (src/Span.ts in opentelemetry-js) where the API
 * leaves room: limits drop the newest attributes and the oldest events, an OK status is final,
 * an ended span ignores every call.
 */
import {
  diag, SpanStatusCode,
  type Attributes, type AttributeValue, type Exception, type HrTime, type Link, type Span, type SpanContext, type SpanKind,
  type SpanStatus, type TimeInput,
} from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import type { SpanClock } from './span-clock.ts';

/** Span limits (the OTEL_SPAN_* and OTEL_ATTRIBUTE_* settings of the SDK environment spec). */
export interface SpanLimits {
  readonly attributeCountLimit: number;
  readonly attributeValueLengthLimit: number;
  readonly eventCountLimit: number;
  readonly linkCountLimit: number;
  readonly attributePerEventCountLimit: number;
  readonly attributePerLinkCountLimit: number;
}

/** What a tracer gives each of its spans: fixed for its life, shared by all of them. */
export interface SpanHome {
  readonly resource: ReadableSpan['resource'];
  readonly instrumentationScope: ReadableSpan['instrumentationScope'];
  readonly processor: SpanProcessor;
  readonly limits: SpanLimits;
  readonly clock: SpanClock;
}

const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
/** Shared by every span that has none; replaced by a span's own array on its first event or link. */
const NONE: never[] = [];
Object.freeze(NONE);

export class EdgeSpan implements Span, ReadableSpan {
  name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly attributes: Attributes = {};
  status: SpanStatus = UNSET_STATUS;
  events: TimedEvent[] = NONE;
  links: Link[] = NONE;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  readonly #context: SpanContext;
  readonly #home: SpanHome;
  /** Wall-clock start in epoch milliseconds. */
  readonly #startEpochMs: number;
  /**
   * The monotonic-to-epoch offset at the start: the end is read on the monotonic clock with the
   * same offset, so a wall-clock step during the span neither stretches nor inverts it.
   */
  readonly #offsetMs: number;
  /** Epoch milliseconds; -1 while the span is open. */
  #endEpochMs = -1;
  #attributeCount = 0;

  constructor(home: SpanHome, context: SpanContext, name: string, kind: SpanKind, parent: SpanContext | undefined, start: TimeInput | undefined) {
    this.#home = home;
    this.#context = context;
    this.name = name;
    this.kind = kind;
    this.parentSpanContext = parent;
    const now = performance.now();
    this.#offsetMs = home.clock.offsetMs(now);
    this.#startEpochMs = start === undefined ? this.#offsetMs + now : home.clock.toEpochMs(start);
  }

  spanContext(): SpanContext {
    return this.#context;
  }

  get resource(): ReadableSpan['resource'] { return this.#home.resource; }
  get instrumentationScope(): ReadableSpan['instrumentationScope'] { return this.#home.instrumentationScope; }
  get ended(): boolean { return this.#endEpochMs >= 0; }
  get startTime(): HrTime { return toHrTime(this.#startEpochMs); }
  get endTime(): HrTime { return this.ended ? toHrTime(this.#endEpochMs) : [0, 0]; }
  get duration(): HrTime {
    return this.ended ? toHrTime(this.#endEpochMs - this.#startEpochMs) : [-1, -1];
  }

  isRecording(): boolean {
    return this.#endEpochMs < 0;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (this.#endEpochMs >= 0 || value === undefined || value === null || key.length === 0) return this;
    const valid = sanitized(value, this.#home.limits.attributeValueLengthLimit);
    if (valid === undefined) {
      diag.warn(`Invalid attribute value set for key: ${key}`);
      return this;
    }
    if (!Object.hasOwn(this.attributes, key)) {
      if (this.#attributeCount >= this.#home.limits.attributeCountLimit) {
        this.droppedAttributesCount++;
        return this;
      }
      this.#attributeCount++;
    }
    this.attributes[key] = valid;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) {
      if (Object.hasOwn(attributes, key)) this.setAttribute(key, attributes[key]);
    }
    return this;
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (this.#endEpochMs >= 0) return this;
    const limits = this.#home.limits;
    const [events, dropped] = withRoomForOne(this.events, limits.eventCountLimit);
    if (dropped) this.droppedEventsCount++;
    if (events === null) return this;
    this.events = events;
    const isTime = isTimeInput(attributesOrTime);
    const at = isTime ? (time ?? attributesOrTime) : time;
    const limitedAttributes = limited(isTime ? undefined : attributesOrTime, limits.attributePerEventCountLimit, limits.attributeValueLengthLimit);
    const epochMs = at === undefined ? this.#offsetMs + performance.now() : this.#home.clock.toEpochMs(at);
    events.push({ name, time: toHrTime(epochMs), attributes: limitedAttributes.attributes, droppedAttributesCount: limitedAttributes.dropped });
    return this;
  }

  addLink(link: Link): this {
    if (this.#endEpochMs >= 0) return this;
    const limits = this.#home.limits;
    const [links, dropped] = withRoomForOne(this.links, limits.linkCountLimit);
    if (dropped) this.droppedLinksCount++;
    if (links === null) return this;
    this.links = links;
    const { attributes, dropped: droppedAttributes } = limited(link.attributes, limits.attributePerLinkCountLimit, limits.attributeValueLengthLimit);
    links.push({ context: link.context, attributes, droppedAttributesCount: droppedAttributes });
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    // As the SDK: UNSET changes nothing, and OK is final (an instrumentation's error after an
    // explicit OK does not overrule it).
    if (this.#endEpochMs >= 0 || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    this.status = status.code === SpanStatusCode.ERROR && typeof status.message === 'string'
      ? { code: status.code, message: status.message }
      : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (this.#endEpochMs < 0) this.name = name;
    return this;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') attributes['exception.message'] = exception;
    else if (exception !== null && typeof exception === 'object') {
      if (exception.code !== undefined) attributes['exception.type'] = String(exception.code);
      else if (exception.name !== undefined) attributes['exception.type'] = exception.name;
      if (exception.message !== undefined) attributes['exception.message'] = exception.message;
      if (exception.stack !== undefined) attributes['exception.stacktrace'] = exception.stack;
    }
    if (attributes['exception.type'] !== undefined || attributes['exception.message'] !== undefined) this.addEvent('exception', attributes, time);
  }

  end(endTime?: TimeInput): void {
    if (this.#endEpochMs >= 0) {
      diag.error(`${this.name} ${this.#context.traceId}-${this.#context.spanId} - You can only call end() on a span once.`);
      return;
    }
    // An explicit end time is taken as given, but never before the start.
    const end = endTime === undefined ? this.#offsetMs + performance.now() : this.#home.clock.toEpochMs(endTime);
    const processor = this.#home.processor;
    processor.onEnding?.(this);
    this.#endEpochMs = Math.max(end, this.#startEpochMs);
    processor.onEnd(this);
  }
}

/**
 * `list` ready for one more entry under `limit` — a list of the span's own in place of the shared
 * empty one, the oldest entry dropped when full — or null when the limit allows none; and whether
 * an entry was dropped (or refused), as the SDK counts it.
 */
function withRoomForOne<T>(list: T[], limit: number): [T[] | null, boolean] {
  if (limit === 0) return [null, true];
  if (list === NONE) return [[], false];
  if (list.length < limit) return [list, false];
  list.shift();
  return [list, true];
}

function isTimeInput(value: unknown): value is TimeInput {
  return typeof value === 'number' || value instanceof Date || (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number');
}

/** A valid attribute value (strings cut to the length limit), or undefined for an invalid one. */
function sanitized(value: AttributeValue, lengthLimit: number): AttributeValue | undefined {
  switch (typeof value) {
    case 'string':
      return value.length > lengthLimit ? value.slice(0, lengthLimit) : value;
    case 'number':
    case 'boolean':
      return value;
    case 'object':
      return Array.isArray(value) ? sanitizedArray(value, lengthLimit) : undefined;
    default:
      return undefined;
  }
}

/** Arrays must be of one primitive type (nulls allowed); copied, so a later change by the caller is not seen. */
function sanitizedArray(values: readonly unknown[], lengthLimit: number): AttributeValue | undefined {
  let type: string | undefined;
  for (const element of values) {
    if (element === null || element === undefined) continue;
    const elementType = typeof element;
    if (elementType !== 'string' && elementType !== 'number' && elementType !== 'boolean') return undefined;
    if (type === undefined) type = elementType;
    else if (type !== elementType) return undefined;
  }
  const copy = values.map((element) => typeof element === 'string' && element.length > lengthLimit ? element.slice(0, lengthLimit) : element);
  return copy as AttributeValue;
}

function limited(source: Attributes | undefined, countLimit: number, lengthLimit: number): { attributes: Attributes; dropped: number } {
  const attributes: Attributes = {};
  let count = 0;
  let dropped = 0;
  if (source === undefined) return { attributes, dropped };
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    const value = source[key];
    const valid = value === undefined || value === null ? undefined : sanitized(value, lengthLimit);
    if (valid === undefined) continue;
    if (count >= countLimit) {
      dropped++;
      continue;
    }
    attributes[key] = valid;
    count++;
  }
  return { attributes, dropped };
}

/** Milliseconds (since the epoch, or a duration) as [seconds, nanoseconds]. */
export function toHrTime(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000);
  const nanos = Math.round((epochMs - seconds * 1000) * 1e6);
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}
