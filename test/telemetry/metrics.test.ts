/**
 * One set of numbers, two views: the admin /metrics Prometheus text and the OpenTelemetry metric
 * data a reader collects for OTLP — the same metrics under the same names (issue 13).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataPointType, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import type { EdgehookNode } from '../../src/node.ts';
import { send, startEdgehook } from '../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../support/origin.ts';
import { declaredFamilies, prometheusName } from '../support/prometheus-name.ts';
import { createTracingHarness, type TracingHarness } from './support/in-memory-tracing.ts';

let origin: TestOrigin | undefined;
let node: EdgehookNode | undefined;
let harness: TracingHarness | undefined;
let diskDir: string | undefined;
afterEach(async () => {
  await node?.close(0);
  await origin?.close();
  await harness?.shutdown();
  if (diskDir !== undefined) rmSync(diskDir, { recursive: true, force: true });
  node = origin = harness = diskDir = undefined;
});

/** A node that served one miss and one hit of /m, with one hook that was called twice and failed once. */
async function servedMissAndHit(): Promise<{ node: EdgehookNode; harness: TracingHarness }> {
  harness = createTracingHarness();
  origin = await startOrigin((_req, res) => {
    res.writeHead(200, { 'cache-control': 'max-age=60' });
    res.end('metrics');
  });
  node = await startEdgehook(origin.url, {}, { telemetry: harness.telemetry });
  await send(`${node.url}/m`);
  await send(`${node.url}/m`);
  const auth = harness.telemetry.hooks.recorder('auth', 'on-request');
  auth.record(0.0002, null);
  auth.record(0.003, 'EH_HOOK_TIMEOUT');
  harness.telemetry.hooks.watchCircuits(() => [['auth', 'half-open']]);
  return { node, harness };
}

async function collect(harness: TracingHarness): Promise<Map<string, MetricData>> {
  const { resourceMetrics } = await harness.metricReader.collect();
  return new Map(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric]));
}

function point(metric: MetricData | undefined, attributes: Record<string, string> = {}): DataPoint<unknown> | undefined {
  return (metric?.dataPoints as DataPoint<unknown>[] | undefined)?.find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
}

describe('admin /metrics (Prometheus text)', () => {
  it('has the proxy, cache, origin, hook, circuit state and transform series', async () => {
    const { node } = await servedMissAndHit();
    const text = (await send(`${node.adminUrl}/metrics`)).body;
    for (const line of [
      'edgehook_responses_total{cache="hit",status_class="2xx"} 1',
      'edgehook_responses_total{cache="miss",status_class="2xx"} 1',
      'edgehook_cache_hit_ratio 0.5',
      'edgehook_cache_entries{tier="memory"} 1',
      'edgehook_cache_max_entries{tier="memory"} 100000',
      'http_client_request_duration_count 1',
      'edgehook_cache_evictions_total{tier="memory"} 0',
      'edgehook_hook_calls_total{hook="auth",phase="on-request"} 2',
      'edgehook_hook_errors_total{hook="auth",phase="on-request",code="EH_HOOK_TIMEOUT"} 1',
      'edgehook_hook_duration_bucket{hook="auth",phase="on-request",le="0.00025"} 1',
      'edgehook_hook_duration_bucket{hook="auth",phase="on-request",le="+Inf"} 2',
      'edgehook_hook_duration_count{hook="auth",phase="on-request"} 2',
      'edgehook_hook_circuit_state{hook="auth",state="half-open"} 1',
      'edgehook_hook_circuit_state{hook="auth",state="open"} 0',
      '# TYPE edgehook_transforms_total counter',
      'edgehook_transform_duration_count 0',
    ]) expect(text.split('\n')).toContain(line);
  });

  it('counts transforms by kind and outcome', async () => {
    const { node } = await servedMissAndHit();
    node.metrics.countTransform('resize', 'ok', 0.012);
    node.metrics.countTransform('resize', 'ok', 0.02);
    node.metrics.countTransform('webp', 'error', 0.001);
    const lines = (await send(`${node.adminUrl}/metrics`)).body.split('\n');
    expect(lines).toContain('edgehook_transforms_total{kind="resize",outcome="ok"} 2');
    expect(lines).toContain('edgehook_transforms_total{kind="webp",outcome="error"} 1');
    expect(lines).toContain('edgehook_transform_duration_count 3');
  });
});

describe('cache tiers', () => {
  it('are reported one by one, with the disk tier\'s fault counters, in both views', async () => {
    harness = createTracingHarness();
    origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'cache-control': 'max-age=60' });
      res.end('tiered');
    });
    diskDir = mkdtempSync(join(tmpdir(), 'edgehook-metrics-disk-'));
    node = await startEdgehook(origin.url, { cache: { disk: { path: diskDir, max_bytes: '1MiB' } } }, { telemetry: harness.telemetry });
    await send(`${node.url}/t`);
    let lines: string[] = [];
    // The disk tier counts an object once its write transaction has run, just after the response.
    for (let tries = 0; tries < 100 && !lines.includes('edgehook_cache_entries{tier="disk"} 1'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      lines = (await send(`${node.adminUrl}/metrics`)).body.split('\n');
    }
    for (const line of [
      'edgehook_cache_entries{tier="memory"} 1',
      'edgehook_cache_entries{tier="disk"} 1',
      'edgehook_cache_max_size{tier="disk"} 1048576',
      'edgehook_cache_faults_total{tier="memory",fault="refused"} 0',
      'edgehook_cache_evictions_total{tier="disk"} 0',
      'edgehook_cache_faults_total{tier="disk",fault="write_failed"} 0',
      'edgehook_cache_faults_total{tier="disk",fault="corrupt"} 0',
    ]) expect(lines).toContain(line);
    const metrics = await collect(harness);
    expect(point(metrics.get('edgehook.cache.entries'), { tier: 'disk' })?.value).toBe(1);
    expect(point(metrics.get('edgehook.cache.max_size'), { tier: 'disk' })?.value).toBe(1_048_576);
    expect(point(metrics.get('edgehook.cache.faults'), { tier: 'disk', fault: 'skipped' })?.value).toBe(0);
  });
});

describe('OpenTelemetry metric data', () => {
  it('carries the same counters and gauges when a reader collects', async () => {
    const { harness } = await servedMissAndHit();
    const metrics = await collect(harness);
    expect(point(metrics.get('edgehook.responses'), { cache: 'hit', status_class: '2xx' })?.value).toBe(1);
    expect(point(metrics.get('edgehook.responses'), { cache: 'miss', status_class: '2xx' })?.value).toBe(1);
    expect(point(metrics.get('edgehook.cache.hit_ratio'))?.value).toBe(0.5);
    expect(point(metrics.get('edgehook.cache.entries'), { tier: 'memory' })?.value).toBe(1);
    expect(point(metrics.get('edgehook.hook.calls'), { hook: 'auth', phase: 'on-request' })?.value).toBe(2);
    expect(point(metrics.get('edgehook.hook.errors'), { hook: 'auth', code: 'EH_HOOK_TIMEOUT' })?.value).toBe(1);
    expect(point(metrics.get('edgehook.hook.circuit.state'), { hook: 'auth', state: 'half-open' })?.value).toBe(1);
    expect(metrics.get('edgehook.responses')?.descriptor.unit).toBe('{response}');
  });

  it('lists the very metrics /metrics shows, under the same names', async () => {
    const { node, harness } = await servedMissAndHit();
    const collected = [...(await collect(harness)).values()];
    const families = declaredFamilies((await send(`${node.adminUrl}/metrics`)).body);
    const named = collected.map((m) => prometheusName(m.descriptor.name, m.dataPointType === DataPointType.SUM && m.isMonotonic));
    expect(named.sort()).toEqual([...families].sort());
    expect(families.length).toBeGreaterThan(25);
  });

  it('has the origin fetches and hook calls as histograms', async () => {
    const { harness } = await servedMissAndHit();
    const metrics = await collect(harness);
    const origin = point(metrics.get('http.client.request.duration')) as DataPoint<Histogram> | undefined;
    expect(origin?.value.count).toBe(1);
    expect(metrics.get('http.client.request.duration')?.descriptor.unit).toBe('s');
    const hook = point(metrics.get('edgehook.hook.duration'), { hook: 'auth', phase: 'on-request' }) as DataPoint<Histogram> | undefined;
    expect(hook?.value.count).toBe(2);
  });

  it('are no longer read from a node once it is closed', async () => {
    const { node, harness } = await servedMissAndHit();
    await node.close(0);
    const metrics = await collect(harness);
    expect(point(metrics.get('edgehook.responses'), { cache: 'hit' })).toBeUndefined();
  });
});
