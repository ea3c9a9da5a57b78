/**
 * names.ts spells the semantic-convention keys as plain strings (the core depends on the API
 * only); this keeps them honest against the published conventions. And every edgehook name is
 * namespaced, unique, and of the shape its backend expects.
 */
import { describe, expect, it } from 'vitest';
import * as semconv from '@opentelemetry/semantic-conventions';
import { ATTR, METRIC, PROM, SPAN } from '../../src/telemetry/names.ts';

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

  it('uses the semantic-convention HTTP client duration metric for origin fetches', () => {
    expect(METRIC.originDuration).toBe(semconv.METRIC_HTTP_CLIENT_REQUEST_DURATION);
  });

  it('namespaces every other attribute and metric under edgehook.', () => {
    const semconvKeys = new Set<string>(SEMCONV.map(([, key]) => key));
    for (const value of Object.values(ATTR)) if (!semconvKeys.has(value)) expect(value).toMatch(/^edgehook\.[a-z0-9_.]+$/);
    // The semantic conventions' HTTP durations keep their names; the rest are edgehook's own.
    for (const value of Object.values(METRIC)) if (value !== METRIC.originDuration && value !== METRIC.requestDuration) expect(value).toMatch(/^edgehook\.[a-z0-9_.]+$/);
  });

  it('gives Prometheus names the edgehook_ prefix and the _total / unit suffixes of their type', () => {
    for (const value of Object.values(PROM)) expect(value).toMatch(/^edgehook_[a-z_]+$/);
    // Histograms (origin latency, hook and transform duration, and request duration and TTFB since
    // issue 13), the event-loop delay gauge and the fleet's last-applied timestamp.
    expect(Object.values(PROM).filter((name) => name.endsWith('_seconds'))).toHaveLength(7);
  });

  it('has no two names alike', () => {
    for (const group of [ATTR, METRIC, PROM, { ...SPAN.phase, a: SPAN.cacheLookup, b: SPAN.cacheStore, c: SPAN.imageTransform }]) {
      const values = Object.values(group);
      expect(new Set(values).size).toBe(values.length);
    }
  });
});
