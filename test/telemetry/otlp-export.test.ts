/**
 * End to end through the CLI as deployed: `edgehook serve` in a child process starts the
 * OpenTelemetry SDK from its config and OTEL_* variables, and a real OTLP/HTTP receiver on
 * 127.0.0.1:0 decodes what arrives — the span tree of a miss and a hit, the resource, the
 * metrics (the very list admin /metrics shows, issue 13) — and, by default, that nothing is sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { send } from '../support/edgehook.ts';
import { spawnEdgehook, type EdgehookProcess } from '../support/edgehook-process.ts';
import { startOrigin, type TestOrigin } from '../support/origin.ts';
import { declaredFamilies, prometheusName } from '../support/prometheus-name.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.ts';

const SERVER = 2;
const CLIENT = 3;

let origin: TestOrigin | undefined;
let edgehook: EdgehookProcess | undefined;
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await edgehook?.stop('SIGKILL');
  await origin?.close();
  await receiver?.close();
  edgehook = origin = receiver = undefined;
});

/** The shell's OTEL_* variables must not leak into the child: each test sets exactly its own. */
function envWith(vars: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));
  return { ...clean, ...vars };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Receiver and origin first: the config and environment may name the receiver's URL. */
async function start(build: (receiverUrl: string) => { config: Record<string, unknown>; env: Record<string, string> }) {
  receiver = await startOtlpReceiver();
  origin = await startOrigin((_req, res) => {
    res.writeHead(200, { 'cache-control': 'max-age=60', 'content-type': 'text/plain' });
    res.end('exported');
  });
  const { config, env } = build(receiver.url);
  edgehook = await spawnEdgehook(origin.url, config, { env: envWith(env), admin: true });
  return { receiver, origin, edgehook };
}

const servers = (spans: readonly ReceivedSpan[]): ReceivedSpan[] => spans.filter((s) => s.kind === SERVER);

describe('OTLP export from the CLI', () => {
  it('exports the span tree of a miss and a hit (protobuf), and the metrics (JSON, chosen by OTEL_EXPORTER_OTLP_METRICS_PROTOCOL)', async () => {
    const { receiver, origin, edgehook } = await start((receiverUrl) => ({
      config: {
        telemetry: {
          service_name: 'edge-test',
          traces: { exporter: 'otlp-http', endpoint: receiverUrl },
          metrics: { exporter: 'otlp-http', endpoint: receiverUrl, interval: '1s' },
        },
      },
      // Standard variables on top: the batch delay, the metrics encoding, a resource attribute.
      env: {
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
      },
    }));

    const trace = '5b8efff798038103d269b633813fc60c';
    await send(`${edgehook.url}/exported`, { headers: { traceparent: `00-${trace}-eee19b7ec3c1b174-01` } });
    await send(`${edgehook.url}/exported`);
    const spans = await until('the miss and hit span trees', () => {
      const got = receiver.spans;
      return servers(got).length === 2 && got.some((s) => s.name === 'cache store') ? got : undefined;
    });

    expect(receiver.requests.filter((r) => r.path === '/v1/traces').every((r) => r.contentType === 'application/x-protobuf')).toBe(true);
    expect(spans[0]!.resource).toMatchObject({ 'service.name': 'edge-test', 'deployment.environment.name': 'test', 'telemetry.sdk.language': 'nodejs' });
    expect(new Set(spans.map((s) => s.scope))).toEqual(new Set(['edgehook']));

    const [miss, hit] = servers(spans).sort((a, b) => (a.traceId === trace ? -1 : b.traceId === trace ? 1 : 0));
    expect(miss!).toMatchObject({ name: 'GET', traceId: trace, parentSpanId: 'eee19b7ec3c1b174' });
    expect(miss!.attributes).toMatchObject({ 'http.request.method': 'GET', 'url.path': '/exported', 'http.response.status_code': 200, 'edgehook.cache.result': 'miss' });
    const children = (parent: ReceivedSpan): string[] => spans.filter((s) => s.parentSpanId === parent.spanId).map((s) => s.name).sort();
    expect(children(miss!)).toEqual(['GET', 'cache store']);
    const fetch = spans.find((s) => s.kind === CLIENT)!;
    expect(fetch.attributes).toMatchObject({ 'url.full': `${origin.url}/exported`, 'http.response.status_code': 200 });
    expect(origin.requests[0]!.headers.traceparent).toBe(`00-${trace}-${fetch.spanId}-01`);

    expect(hit!.attributes).toMatchObject({ 'edgehook.cache.result': 'hit' });
    expect(children(hit!)).toEqual([]);

    const responses = await until('the responses metric', () => {
      const hits = receiver.points.filter((p) => p.metric === 'edgehook.responses' && p.attributes.cache === 'hit' && p.attributes.status_class === '2xx');
      return hits.some((p) => p.value === 1) ? hits : undefined;
    });
    expect(responses.length).toBeGreaterThan(0);
    expect(receiver.points.some((p) => p.metric === 'edgehook.cache.entries' && p.attributes.tier === 'memory' && p.value === 1)).toBe(true);
    expect(receiver.points.some((p) => p.metric === 'http.client.request.duration' && p.value === 1)).toBe(true);

    // One list of metrics, both surfaces: what OTLP carries is what /metrics shows, name for name.
    const pushed = receiver.exports.at(-1)!;
    const families = declaredFamilies((await send(`${edgehook.adminUrl}/metrics`)).body);
    expect(pushed.map((m) => prometheusName(m.name, m.monotonic)).sort()).toEqual([...families].sort());
    expect(families).toEqual(expect.arrayContaining(['edgehook_responses_total', 'http_server_request_duration', 'http_client_open_connections', 'edgehook_cache_hit_ratio']));
  }, 30_000);

  it('turns on from OTEL_* variables alone, and flushes buffered spans on SIGTERM', async () => {
    receiver = await startOtlpReceiver();
    origin = await startOrigin((_req, res) => void res.end('late'));
    edgehook = await spawnEdgehook(origin.url, {}, {
      env: envWith({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '600000' }),
    });
    await send(`${edgehook.url}/flushed`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.spans).toEqual([]); // still buffered: the batch is not due for ten minutes
    expect(await edgehook.stop('SIGTERM')).toBe(0);
    expect(servers(receiver.spans)).toHaveLength(1);
    expect(servers(receiver.spans)[0]!.resource['service.name']).toBe('edgehook');
  }, 30_000);

  it('sends nothing by default, even with a collector endpoint in the environment', async () => {
    receiver = await startOtlpReceiver();
    origin = await startOrigin((_req, res) => void res.end('quiet'));
    edgehook = await spawnEdgehook(origin.url, {}, { env: envWith({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRIC_EXPORT_INTERVAL: '100' }) });
    await send(`${edgehook.url}/quiet`);
    expect(await edgehook.stop('SIGTERM')).toBe(0);
    expect(receiver.requests).toEqual([]);
  }, 30_000);
});
