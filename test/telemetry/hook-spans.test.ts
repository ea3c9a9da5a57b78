/**
 * Per-hook spans from the real hook runtime: WebAssembly fixtures (test/fixtures/hooks) bound
 * through the config's `hooks:` list, in a real edgehook with in-memory tracing. Each call is a
 * span under its phase span with the hook's name, module sha256, verdict and error code; its log
 * lines are span events, and its structured log lines carry the trace id.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { createLogger } from '../../src/log.ts';
import type { EdgehookNode } from '../../src/node.ts';
import { buildFixture, CACHE_DIR, type Fixture } from '../hooks/support/fixtures.ts';
import { send, startEdgehook } from '../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../support/origin.ts';
import { createTracingHarness, only, parentId, spanId, traceId, type TracingHarness } from './support/in-memory-tracing.ts';

let origin: TestOrigin | undefined;
let node: EdgehookNode | undefined;
let harness: TracingHarness | undefined;
const fixtures: Record<string, Fixture> = {};

beforeAll(async () => {
  for (const name of ['deny', 'trap', 'rewrite', 'cache-policy']) fixtures[name] = await buildFixture(name);
}, 120_000);

afterEach(async () => {
  await node?.close(0);
  await origin?.close();
  await harness?.shutdown();
  node = origin = harness = undefined;
});

async function setup(hooks: Record<string, unknown>[]) {
  harness = createTracingHarness();
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  origin = await startOrigin((_req, res) => {
    res.writeHead(200, { 'cache-control': 'max-age=60', 'content-type': 'text/plain' });
    res.end('origin');
  });
  node = await startEdgehook(origin.url, { hooks }, { telemetry: harness.telemetry, hookCacheDir: CACHE_DIR, logger });
  return { harness, origin, node, lines };
}

const hasServer = (spans: readonly ReadableSpan[]): boolean => spans.some((s) => s.kind === SpanKind.SERVER);

describe('hook call spans', () => {
  it('a hook that answers locally: its span under the on-request phase, with name, sha256 and verdict', async () => {
    const { harness, node } = await setup([{ name: 'deny', module: fixtures.deny!.path, phases: ['on-request'] }]);
    expect((await send(`${node.url}/doc`)).status).toBe(403);
    const spans = await harness.waitFor(hasServer);
    const phase = only(spans, 'hooks on-request');
    const hook = only(spans, 'hook deny');
    expect(parentId(hook)).toBe(spanId(phase));
    expect(hook.attributes).toMatchObject({
      'edgehook.hook.name': 'deny',
      'edgehook.hook.sha256': fixtures.deny!.sha256,
      'edgehook.hook.phase': 'on-request',
      'edgehook.hook.verdict': 'respond',
      'http.response.status_code': 403,
    });
    expect(hook.status.code).toBe(SpanStatusCode.UNSET);
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(server.attributes).toMatchObject({ 'edgehook.route.hooks': ['deny'], 'edgehook.cache.result': 'local' });
  });

  it('a failing hook: error status and code on its span, the on_error answer as the phase verdict, trace id in the log line', async () => {
    const { harness, node, lines } = await setup([{ name: 'trap', module: fixtures.trap!.path, phases: ['on-request'] }]);
    const response = await send(`${node.url}/trap`); // the fixture traps on this path
    expect(response.status).toBe(503);
    const spans = await harness.waitFor(hasServer);
    const hook = only(spans, 'hook trap');
    expect(hook.attributes).toMatchObject({ 'edgehook.hook.verdict': 'error', 'edgehook.hook.error_code': 'EH_HOOK_TRAP', 'error.type': 'EH_HOOK_TRAP' });
    expect(hook.status).toMatchObject({ code: SpanStatusCode.ERROR });
    expect(hook.status.message).toMatch(/^EH_HOOK_TRAP: /);
    expect(only(spans, 'hooks on-request').attributes).toMatchObject({ 'edgehook.hook.verdict': 'respond', 'http.response.status_code': 503 });
    const failed = lines.find((line) => line.msg === 'hook failed');
    expect(failed).toMatchObject({ code: 'EH_HOOK_TRAP', trace_id: traceId(hook), span_id: spanId(hook) });
  });

  it('hook log lines are events on the hook span, and log lines with the trace id', async () => {
    const { harness, node, lines } = await setup([{ name: 'policy', module: fixtures['cache-policy']!.path, phases: ['on-origin-response'] }]);
    expect((await send(`${node.url}/product/1`)).status).toBe(200);
    const spans = await harness.waitFor((s) => hasServer(s) && s.some((x) => x.name === 'hook policy'));
    const hook = only(spans, 'hook policy');
    expect(parentId(hook)).toBe(spanId(only(spans, 'hooks on-origin-response')));
    expect(hook.events).toHaveLength(1);
    expect(hook.events[0]).toMatchObject({
      name: 'cache policy applied',
      attributes: { 'edgehook.hook.log.level': 'info', 'edgehook.hook.log.field.path': '/product/1' },
    });
    const logged = lines.find((line) => line.msg === 'cache policy applied');
    expect(logged).toMatchObject({ hook: 'policy', phase: 'on-origin-response', trace_id: traceId(hook), span_id: spanId(hook) });
  });

  it('response phases: one span per hook, in reverse configuration order', async () => {
    const { harness, node } = await setup([
      { name: 'first', module: fixtures.rewrite!.path, phases: ['on-response'] },
      { name: 'second', module: fixtures.rewrite!.path, phases: ['on-response'] },
    ]);
    expect((await send(`${node.url}/r`)).status).toBe(200);
    const spans = await harness.waitFor((s) => hasServer(s) && s.some((x) => x.name === 'hook first'));
    const phase = only(spans, 'hooks on-response');
    const [first, second] = [only(spans, 'hook first'), only(spans, 'hook second')];
    for (const hook of [first, second]) {
      expect(parentId(hook)).toBe(spanId(phase));
      expect(hook.attributes['edgehook.hook.verdict']).toBe('continue');
    }
    const startOf = (s: ReadableSpan): number => s.startTime[0] * 1e9 + s.startTime[1];
    expect(startOf(second)).toBeLessThanOrEqual(startOf(first));
  });

  it('counts calls and errors per hook and phase on /metrics', async () => {
    const { node } = await setup([{ name: 'trap', module: fixtures.trap!.path, phases: ['on-request'], on_error: 'open' }]);
    expect((await send(`${node.url}/trap`)).status).toBe(200);
    expect((await send(`${node.url}/fine`)).status).toBe(200);
    const lines = (await send(`${node.adminUrl}/metrics`)).body.split('\n');
    expect(lines).toContain('edgehook_hook_calls_total{hook="trap",phase="on-request"} 2');
    expect(lines).toContain('edgehook_hook_errors_total{hook="trap",phase="on-request",code="EH_HOOK_TRAP"} 1');
    expect(lines).toContain('edgehook_hook_circuit_state{hook="trap",state="closed"} 1');
  });
});
