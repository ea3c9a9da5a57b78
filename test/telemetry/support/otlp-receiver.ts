/**
 * A real OTLP/HTTP receiver on 127.0.0.1:0 — what an OpenTelemetry Collector or Jaeger would be —
 * decoding exactly what edgehook sends: traces in protobuf (the default) or JSON, metrics in
 * JSON. The protobuf side is a small wire-format reader over the OTLP trace messages, written
 * out here so the test depends on the spec, not on the exporter's own encoder.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly attributes: Record<string, unknown>;
  readonly events: ReadonlyArray<{ name: string; attributes: Record<string, unknown> }>;
  readonly status: { code: number; message: string };
  readonly scope: string;
  readonly resource: Record<string, unknown>;
  /** The rest of the span, as sent (protobuf only). */
  readonly wire?: SpanWireDetails;
}

export interface SpanWireDetails {
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly traceState: string;
  readonly flags: number;
  readonly dropped: { attributes: number; events: number; links: number };
  readonly eventTimes: bigint[];
  readonly links: Array<{ traceId: string; spanId: string; traceState: string; attributes: Record<string, unknown>; flags: number }>;
  readonly scopeVersion: string;
}

/** One metric data point, flattened: metric name, attributes and value (sums and gauges). */
export interface ReceivedPoint {
  readonly metric: string;
  readonly attributes: Record<string, unknown>;
  readonly value: number | undefined;
}

/** One metric of one export, whatever its points: name, type, and whether a sum is monotonic (a counter). */
export interface ReceivedMetric {
  readonly name: string;
  readonly type: 'sum' | 'gauge' | 'histogram' | 'other';
  readonly monotonic: boolean;
}

export interface OtlpReceiver {
  /** Base URL, as the config's endpoint or OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  readonly points: ReceivedPoint[];
  /** Each metrics export (OTLP/JSON), as the list of metrics it carried. */
  readonly exports: ReceivedMetric[][];
  /** Every request received, by path and content type (to check what was sent where). */
  readonly requests: Array<{ path: string; contentType: string }>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const points: ReceivedPoint[] = [];
  const exports: ReceivedMetric[][] = [];
  const requests: Array<{ path: string; contentType: string }> = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const contentType = req.headers['content-type'] ?? '';
      requests.push({ path: req.url ?? '', contentType });
      const json = contentType.startsWith('application/json');
      if (req.url === '/v1/traces') spans.push(...(json ? spansFromJson(JSON.parse(body.toString('utf8'))) : spansFromProtobuf(body)));
      if (req.url === '/v1/metrics' && json) {
        const decoded = JSON.parse(body.toString('utf8')) as JsonMetrics;
        points.push(...pointsFromJson(decoded));
        exports.push(metricsFromJson(decoded));
      }
      // An empty Export*ServiceResponse is a full success.
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : '');
    }, (error: unknown) => {
      res.writeHead(400).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    points,
    exports,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

// ---- protobuf wire format: just enough of it for opentelemetry.proto.trace.v1 ----

type WireValue = { wire: 0; value: bigint } | { wire: 1; value: Buffer } | { wire: 2; value: Buffer } | { wire: 5; value: Buffer };

function* fields(buf: Buffer): Generator<[number, WireValue]> {
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buf[at++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  while (at < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield [field, { wire, value: varint() }];
    else if (wire === 1) yield [field, { wire, value: buf.subarray(at, (at += 8)) }];
    else if (wire === 5) yield [field, { wire, value: buf.subarray(at, (at += 4)) }];
    else if (wire === 2) {
      const length = Number(varint());
      yield [field, { wire, value: buf.subarray(at, (at += length)) }];
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

const bytes = (v: WireValue): Buffer => v.value as Buffer;
const text = (v: WireValue): string => bytes(v).toString('utf8');

/** ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 } */
export function spansFromProtobuf(body: Buffer): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const [field, resourceSpans] of fields(body)) {
    if (field !== 1) continue;
    let resource: Record<string, unknown> = {};
    const scopeSpans: Buffer[] = [];
    for (const [f, v] of fields(bytes(resourceSpans))) {
      if (f === 1) resource = keyValues(bytes(v), 1);
      if (f === 2) scopeSpans.push(bytes(v));
    }
    for (const scoped of scopeSpans) {
      let scope = '';
      let scopeVersion = '';
      for (const [f, v] of fields(scoped)) {
        if (f === 1) {
          for (const [sf, sv] of fields(bytes(v))) {
            if (sf === 1) scope = text(sv);
            if (sf === 2) scopeVersion = text(sv);
          }
        }
        if (f === 2) {
          const span = decodeSpan(bytes(v));
          out.push({ ...span, scope, resource, wire: { ...span.wire, scopeVersion } });
        }
      }
    }
  }
  return out;
}

type DecodedSpan = Omit<ReceivedSpan, 'scope' | 'resource' | 'wire'> & { wire: Omit<SpanWireDetails, 'scopeVersion'> };

function decodeSpan(buf: Buffer): DecodedSpan {
  const span = { traceId: '', spanId: '', parentSpanId: '', name: '', kind: 0, attributes: {} as Record<string, unknown>, events: [] as ReceivedSpan['events'][number][], status: { code: 0, message: '' } };
  const wire = {
    startTimeUnixNano: 0n, endTimeUnixNano: 0n, traceState: '', flags: 0, dropped: { attributes: 0, events: 0, links: 0 },
    eventTimes: [] as bigint[], links: [] as SpanWireDetails['links'],
  };
  for (const [f, v] of fields(buf)) {
    if (f === 1) span.traceId = bytes(v).toString('hex');
    else if (f === 2) span.spanId = bytes(v).toString('hex');
    else if (f === 3) wire.traceState = text(v);
    else if (f === 4) span.parentSpanId = bytes(v).toString('hex');
    else if (f === 5) span.name = text(v);
    else if (f === 6) span.kind = Number(v.value);
    else if (f === 7) wire.startTimeUnixNano = bytes(v).readBigUInt64LE(0);
    else if (f === 8) wire.endTimeUnixNano = bytes(v).readBigUInt64LE(0);
    else if (f === 9) Object.assign(span.attributes, keyValue(bytes(v)));
    else if (f === 10) wire.dropped.attributes = Number(v.value);
    else if (f === 11) {
      const event = decodeEvent(bytes(v));
      span.events.push({ name: event.name, attributes: event.attributes });
      wire.eventTimes.push(event.time);
    } else if (f === 12) wire.dropped.events = Number(v.value);
    else if (f === 13) wire.links.push(decodeLink(bytes(v)));
    else if (f === 14) wire.dropped.links = Number(v.value);
    else if (f === 15) for (const [sf, sv] of fields(bytes(v))) {
      if (sf === 2) span.status.message = text(sv);
      if (sf === 3) span.status.code = Number(sv.value);
    }
    else if (f === 16) wire.flags = bytes(v).readUInt32LE(0);
  }
  return { ...span, wire };
}

function decodeEvent(buf: Buffer): { name: string; attributes: Record<string, unknown>; time: bigint } {
  const event = { name: '', attributes: {} as Record<string, unknown>, time: 0n };
  for (const [f, v] of fields(buf)) {
    if (f === 1) event.time = bytes(v).readBigUInt64LE(0);
    if (f === 2) event.name = text(v);
    if (f === 3) Object.assign(event.attributes, keyValue(bytes(v)));
  }
  return event;
}

/** Link { trace_id 1, span_id 2, trace_state 3, attributes 4, flags 6 (fixed32) } */
function decodeLink(buf: Buffer): SpanWireDetails['links'][number] {
  const link = { traceId: '', spanId: '', traceState: '', attributes: {} as Record<string, unknown>, flags: 0 };
  for (const [f, v] of fields(buf)) {
    if (f === 1) link.traceId = bytes(v).toString('hex');
    if (f === 2) link.spanId = bytes(v).toString('hex');
    if (f === 3) link.traceState = text(v);
    if (f === 4) Object.assign(link.attributes, keyValue(bytes(v)));
    if (f === 6) link.flags = bytes(v).readUInt32LE(0);
  }
  return link;
}

/** All KeyValue messages in field `field` of `buf`. */
function keyValues(buf: Buffer, field: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [f, v] of fields(buf)) if (f === field) Object.assign(out, keyValue(bytes(v)));
  return out;
}

/** KeyValue { string key = 1; AnyValue value = 2 } */
function keyValue(buf: Buffer): Record<string, unknown> {
  let key = '';
  let value: unknown;
  for (const [f, v] of fields(buf)) {
    if (f === 1) key = text(v);
    if (f === 2) value = anyValue(bytes(v));
  }
  return { [key]: value };
}

/** AnyValue { string = 1; bool = 2; int64 = 3; double = 4; ArrayValue = 5 } */
function anyValue(buf: Buffer): unknown {
  for (const [f, v] of fields(buf)) {
    if (f === 1) return text(v);
    if (f === 2) return v.value === 1n;
    if (f === 3) return Number(BigInt.asIntN(64, v.value as bigint));
    if (f === 4) return bytes(v).readDoubleLE(0);
    if (f === 5) return [...fields(bytes(v))].filter(([af]) => af === 1).map(([, av]) => anyValue(bytes(av)));
  }
  return undefined;
}

// ---- OTLP/JSON ----

interface JsonKeyValue { key: string; value: Record<string, unknown> }

function jsonAttributes(list: JsonKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) {
    const [kind, raw] = Object.entries(value)[0] ?? [];
    out[key] = kind === 'intValue' ? Number(raw) : kind === 'arrayValue' ? (raw as { values?: Record<string, unknown>[] }).values?.map((x) => Object.values(x)[0]) : raw;
  }
  return out;
}

interface JsonTraces {
  resourceSpans?: Array<{
    resource?: { attributes?: JsonKeyValue[] };
    scopeSpans?: Array<{ scope?: { name?: string }; spans?: Array<Record<string, unknown>> }>;
  }>;
}

function spansFromJson(body: JsonTraces): ReceivedSpan[] {
  return (body.resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s) => ({
    traceId: String(s.traceId), spanId: String(s.spanId), parentSpanId: String(s.parentSpanId ?? ''), name: String(s.name),
    kind: Number(s.kind), attributes: jsonAttributes(s.attributes as JsonKeyValue[]),
    events: ((s.events ?? []) as Array<{ name: string; attributes?: JsonKeyValue[] }>).map((e) => ({ name: e.name, attributes: jsonAttributes(e.attributes) })),
    status: { code: Number((s.status as { code?: number } | undefined)?.code ?? 0), message: String((s.status as { message?: string } | undefined)?.message ?? '') },
    scope: ss.scope?.name ?? '', resource: jsonAttributes(rs.resource?.attributes),
  }))));
}

interface JsonMetrics {
  resourceMetrics?: Array<{ scopeMetrics?: Array<{ metrics?: Array<Record<string, { dataPoints?: Array<Record<string, unknown>> } | string>> }> }>;
}

function pointsFromJson(body: JsonMetrics): ReceivedPoint[] {
  return (body.resourceMetrics ?? []).flatMap((rm) => (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).flatMap((metric) => {
    const name = metric.name as string;
    const data = (metric.sum ?? metric.gauge ?? metric.histogram) as { dataPoints?: Array<Record<string, unknown>> } | undefined;
    return (data?.dataPoints ?? []).map((point) => ({
      metric: name,
      attributes: jsonAttributes(point.attributes as JsonKeyValue[]),
      value: point.asDouble !== undefined ? Number(point.asDouble) : point.asInt !== undefined ? Number(point.asInt) : point.count !== undefined ? Number(point.count) : undefined,
    }));
  })));
}

function metricsFromJson(body: JsonMetrics): ReceivedMetric[] {
  return (body.resourceMetrics ?? []).flatMap((rm) => (rm.scopeMetrics ?? []).flatMap((sm) => (sm.metrics ?? []).map((metric) => {
    const type = metric.sum !== undefined ? 'sum' : metric.gauge !== undefined ? 'gauge' : metric.histogram !== undefined ? 'histogram' : 'other';
    const monotonic = type === 'sum' && (metric.sum as { isMonotonic?: boolean }).isMonotonic === true;
    return { name: metric.name as string, type, monotonic };
  })));
}
