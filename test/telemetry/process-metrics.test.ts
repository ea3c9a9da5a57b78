/**
 * Issue 13: /metrics says what the process costs and carries — CPU, resident memory, event-loop
 * delay, requests and connections open now — and which edgehook runs (edgehook_build_info); a
 * node with workers adds its workers together.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest, Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { EdgehookNode } from '../../src/node.ts';
import { send, startEdgehook } from '../support/edgehook.ts';
import { spawnEdgehook, type EdgehookProcess } from '../support/edgehook-process.ts';
import { startOrigin, type TestOrigin } from '../support/origin.ts';
import { METRIC } from '../../src/telemetry/names.ts';
import { createTracingHarness } from './support/in-memory-tracing.ts';

let origin: TestOrigin | undefined;
let node: EdgehookNode | undefined;
let child: EdgehookProcess | undefined;
afterEach(async () => {
  await node?.close(0);
  await child?.stop();
  await origin?.close();
  node = origin = child = undefined;
});

function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (line === undefined) throw new Error(`no ${series} in /metrics`);
  return Number(line.slice(series.length + 1));
}

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('process metrics (issue 13)', () => {
  it('counts the request in flight and its connection while the origin holds it, and the process figures', async () => {
    let release = (): void => {};
    origin = await startOrigin(async (_req, res) => {
      await new Promise<void>((resolve) => (release = resolve));
      res.writeHead(200, { 'cache-control': 'no-store' }).end('done');
    });
    node = await startEdgehook(origin.url);
    const agent = new Agent({ keepAlive: true });
    const pending = new Promise<void>((resolve) => httpRequest(`${node!.url}/slow`, { agent }, (res) => res.resume().on('end', resolve)).end());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const during = (await send(`${node.adminUrl}/metrics`)).body;
    expect(value(during, 'http_server_active_requests')).toBe(1);
    expect(value(during, 'edgehook_client_connections')).toBe(1);
    release();
    await pending;
    agent.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = (await send(`${node.adminUrl}/metrics`)).body;
    expect(value(after, 'http_server_active_requests')).toBe(0);
    expect(value(after, 'edgehook_client_connections')).toBe(0);
    expect(value(after, 'process_cpu_time_total')).toBeGreaterThan(0);
    expect(value(after, 'process_memory_usage')).toBeGreaterThan(20 * 1024 * 1024);
    expect(value(after, 'nodejs_eventloop_delay_p99')).toBeGreaterThanOrEqual(0);
    expect(after).toContain(`edgehook_build_info{version="${VERSION}",node_version="${process.versions.node}"} 1`);
  });

  it('with workers: the figures of both workers together', { timeout: 60_000 }, async () => {
    origin = await startOrigin((_req, res) => void res.writeHead(200).end('ok'));
    child = await spawnEdgehook(origin.url, {}, { workers: 2, admin: true });
    const text = (await send(`${child.adminUrl}/metrics`)).body;
    // Two worker processes: more than one process's worth of memory.
    expect(value(text, 'process_memory_usage')).toBeGreaterThan(2 * 20 * 1024 * 1024);
    expect(value(text, 'process_cpu_time_total')).toBeGreaterThan(0);
    expect(text).toContain(`edgehook_build_info{version="${VERSION}"`);
  });

  it('times requests by cache outcome: duration and time to first byte (a miss waits on its origin, a hit does not)', async () => {
    origin = await startOrigin(async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 60));
      res.writeHead(200, { 'cache-control': 'max-age=60' }).end('x'.repeat(1000));
    });
    node = await startEdgehook(origin.url);
    await send(`${node.url}/timed`);
    await send(`${node.url}/timed`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = (await send(`${node.adminUrl}/metrics`)).body;
    for (const name of ['http_server_request_duration', 'edgehook_response_ttfb']) {
      expect(value(text, `${name}_count{cache="miss"}`)).toBe(1);
      expect(value(text, `${name}_count{cache="hit"}`)).toBe(1);
      // The miss took the origin's 60 ms; the hit is under 50 ms even on a loaded machine.
      expect(value(text, `${name}_bucket{cache="miss",le="0.05"}`)).toBe(0);
      expect(value(text, `${name}_bucket{cache="hit",le="0.05"}`)).toBe(1);
    }
  });

  it('gives OpenTelemetry the same figures, and the request histograms by cache outcome', async () => {
    const harness = createTracingHarness();
    try {
      origin = await startOrigin((_req, res) => void res.writeHead(200, { 'cache-control': 'max-age=60' }).end('ok'));
      node = await startEdgehook(origin.url, {}, { telemetry: harness.telemetry });
      await send(`${node.url}/otel`);
      await send(`${node.url}/otel`);
      const { resourceMetrics } = await harness.metricReader.collect();
      const names = new Set(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).map((metric) => metric.descriptor.name));
      for (const name of [METRIC.processCpu, METRIC.processMemory, METRIC.eventLoopDelay, METRIC.requestsInFlight, METRIC.clientConnections, METRIC.requestDuration, METRIC.ttfb]) {
        expect(names, name).toContain(name);
      }
    } finally {
      await harness.shutdown();
    }
  });
});
