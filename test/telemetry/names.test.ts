/**
 * names.ts spells the semantic-convention keys as plain strings (the core depends on the API
 * only); this keeps them honest against the published conventions. And every edgehook name is
 * namespaced, unique, and of the shape its backend expects.
 */
import { describe, expect, it } from 'vitest';
import * as semconv from '@opentelemetry/semantic-conventions';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { ATTR, LABEL, METRIC, SPAN } from '../../src/telemetry/names.ts';

const SEMCONV: Array<[keyof typeof ATTR | 'originDuration', string]> = [
  ['httpRequestMethod', semconv.ATTR_HTTP_REQUEST_METHOD],
  ['httpRequestMethodOriginal', semconv.ATTR_HTTP_REQUEST_METHOD_ORIGINAL],
  ['httpResponseStatusCode', semconv.ATTR_HTTP_RESPONSE_STATUS_CODE],
  ['urlPath', semconv.ATTR_URL_PATH],
  ['urlScheme', semconv.ATTR_URL_SCHEME],
  ['urlFull', semconv.ATTR_URL_FULL],
  ['serverAddress', semconv.ATTR_SERVER_ADDRESS],
  ['serverPort', semconv.ATTR_SERVER_PORT],
  ['clientAddress', semconv.ATTR_CLIENT_ADDRESS],
  ['networkPeerAddress', semconv.ATTR_NETWORK_PEER_ADDRESS],
  ['userAgentOriginal', semconv.ATTR_USER_AGENT_ORIGINAL],
  ['errorType', semconv.ATTR_ERROR_TYPE],
  ['exceptionType', semconv.ATTR_EXCEPTION_TYPE],
  ['exceptionMessage', semconv.ATTR_EXCEPTION_MESSAGE],
  ['exceptionStacktrace', semconv.ATTR_EXCEPTION_STACKTRACE],
];

describe('telemetry names', () => {
  it.each(SEMCONV)('ATTR.%s is the semantic-convention key %s', (key, expected) => {
    expect(ATTR[key as keyof typeof ATTR]).toBe(expected);
  });

  it.each([
    ['originDuration', semconv.METRIC_HTTP_CLIENT_REQUEST_DURATION],
    ['requestDuration', semconv.METRIC_HTTP_SERVER_REQUEST_DURATION],
    ['originConnections', incubating.METRIC_HTTP_CLIENT_OPEN_CONNECTIONS],
    ['requestsInFlight', incubating.METRIC_HTTP_SERVER_ACTIVE_REQUESTS],
    ['processCpu', incubating.METRIC_PROCESS_CPU_TIME],
    ['processMemory', incubating.METRIC_PROCESS_MEMORY_USAGE],
    ['eventLoopDelay', incubating.METRIC_NODEJS_EVENTLOOP_DELAY_P99],
  ] as const)('METRIC.%s is the semantic-convention metric %s', (key, expected) => {
    expect(METRIC[key]).toBe(expected);
  });

  it('uses the semantic-convention attribute keys the semconv metrics ask for', () => {
    expect(LABEL.httpConnectionState).toBe(incubating.ATTR_HTTP_CONNECTION_STATE);
    expect(LABEL.serverAddress).toBe(semconv.ATTR_SERVER_ADDRESS);
    expect(LABEL.serverPort).toBe(semconv.ATTR_SERVER_PORT);
  });

  it('namespaces every other attribute and metric under edgehook.', () => {
    const semconvKeys = new Set<string>(SEMCONV.map(([, key]) => key));
    for (const value of Object.values(ATTR)) if (!semconvKeys.has(value)) expect(value).toMatch(/^edgehook\.[a-z0-9_.]+$/);
    const semconvMetrics = new Set<string>([METRIC.originDuration, METRIC.requestDuration, METRIC.originConnections, METRIC.requestsInFlight,
      METRIC.processCpu, METRIC.processMemory, METRIC.eventLoopDelay]);
    for (const value of Object.values(METRIC)) if (!semconvMetrics.has(value)) expect(value).toMatch(/^edgehook\.[a-z0-9_.]+$/);
  });

  it('gives every metric a distinct Prometheus name (OpenTelemetry\'s mapping: dots to underscores)', () => {
    const prometheus = Object.values(METRIC).map((name) => name.replace(/[^a-z0-9_]/gi, '_'));
    expect(new Set(prometheus).size).toBe(prometheus.length);
    // No OpenTelemetry name may be another's namespace (semantic-convention naming rule).
    for (const a of Object.values(METRIC)) for (const b of Object.values(METRIC)) expect(b.startsWith(`${a}.`), `${a} / ${b}`).toBe(false);
  });

  it('has no two names alike', () => {
    for (const group of [ATTR, METRIC, LABEL, { ...SPAN.phase, a: SPAN.cacheLookup, b: SPAN.cacheStore, c: SPAN.imageTransform }]) {
      const values = Object.values(group);
      expect(new Set(values).size).toBe(values.length);
    }
  });
});
