/**
 * Readable guest failures (issue #12): a JS hook's exception reaches the log line, the span event
 * and `hook run` with its message and a stack mapped to the author's lines; a malformed verdict is
 * EH_HOOK_BAD_VERDICT naming what came back; console.* and the AssemblyScript SDK's abort speak
 * through the hook's log. Real components built from test/fixtures/hooks in setup.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import type { EdgehookNode } from '../../src/node.ts';
import type { PhaseVerdict } from '../../src/pipeline/hook-seam.ts';
import { send, startEdgehook } from '../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../support/origin.ts';
import { createTracingHarness, only, type TracingHarness } from '../telemetry/support/in-memory-tracing.ts';
import { buildJsFixture, CACHE_DIR, FIXTURE_DIR, ROOT, type Fixture } from './support/fixtures.ts';
import { loadFixtureHook } from './support/load-hook.ts';
import { makeRequest } from './support/states.ts';

let js: Fixture;
let jsSource = '';
beforeAll(async () => {
  js = await buildJsFixture('js-throw');
  jsSource = await readFile(join(FIXTURE_DIR, 'js-throw.ts'), 'utf8');
}, 180_000);

/** 1-based line of the first line of the fixture containing `text`. */
const lineOf = (text: string): number => jsSource.split('\n').findIndex((line) => line.includes(text)) + 1;
const code = (v: PhaseVerdict) => (v.tag === 'respond' ? v.val.headers.find(([n]) => n === 'x-edgehook-error')?.[1] : undefined);
const failed = (logs: Record<string, unknown>[]) => logs.find((line) => line['msg'] === 'hook failed');

describe('JS guest failures', () => {
  it('an uncaught Error: its message, and a stack in the author\'s file and lines', async () => {
    const { hook, logs } = await loadFixtureHook('js-throw', { timeout_ms: 2000 }, systemClock, js);
    expect(code(await hook.invoke('on-request', makeRequest({ path: '/throw' }), null))).toBe('EH_HOOK_TRAP');
    const line = failed(logs)!;
    expect(line['error']).toBe('uncaught Error: bad token nope');
    const stack = String(line['stack']).split('\n');
    expect(stack[0]).toMatch(new RegExp(`at checkToken \\(js-throw\\.ts:${lineOf('throw new Error')}:\\d+\\)`));
    expect(stack[1]).toMatch(new RegExp(`at handle \\(js-throw\\.ts:${lineOf("checkToken('nope')")}:\\d+\\)`));
    expect(line['stack']).not.toContain('edgehook-wrapper');
  });

  it('a thrown non-Error is named too', async () => {
    const { hook, logs } = await loadFixtureHook('js-throw', { timeout_ms: 2000 }, systemClock, js);
    expect(code(await hook.invoke('on-request', makeRequest({ path: '/throw-string' }), null))).toBe('EH_HOOK_TRAP');
    expect(failed(logs)!['error']).toBe('uncaught string: "plain string"');
  });

  it('a malformed verdict is EH_HOOK_BAD_VERDICT naming what was returned', async () => {
    const { hook, logs } = await loadFixtureHook('js-throw', { timeout_ms: 2000 }, systemClock, js);
    expect(code(await hook.invoke('on-request', makeRequest({ path: '/bad-verdict' }), null))).toBe('EH_HOOK_BAD_VERDICT');
    expect(failed(logs)!['error']).toContain('handle() returned {"tag":"contine"}');
  });

  it('console.* goes to the hook\'s log at its level', async () => {
    const { hook, logs } = await loadFixtureHook('js-throw', { timeout_ms: 2000 }, systemClock, js);
    expect(await hook.invoke('on-request', makeRequest({ path: '/fine' }), null)).toEqual({ tag: 'continue' });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'info', msg: 'seen /fine {"n":1}', phase: 'on-request' }));
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'careful', phase: 'on-request' }));
  });

  it('console past the per-call bound: 32 lines kept, one line says the rest were dropped, and a metric counts them', async () => {
    const { hook, logs, telemetry } = await loadFixtureHook('js-throw', { timeout_ms: 2000 }, systemClock, js);
    expect(await hook.invoke('on-request', makeRequest({ path: '/chatty' }), null)).toEqual({ tag: 'continue' });
    expect(await hook.invoke('on-request', makeRequest({ path: '/chatty' }), null)).toEqual({ tag: 'continue' });
    // 102 lines a call ('seen /chatty', 'careful', 100 more), 32 kept: 70 dropped a call.
    expect(telemetry.hooks.snapshot().phases.find((phase) => phase.phase === 'on-request')).toMatchObject({ hook: 'js-throw', calls: 2, logLinesDropped: 140 });
    // 32 in all: 'seen /chatty' and 'careful' come first.
    expect(logs.filter((line) => String(line['msg']).startsWith('line '))).toHaveLength(60);
    expect(logs.filter((line) => line['msg'] === 'hook log lines dropped: more than the per-call bound')).toEqual([
      expect.objectContaining({ level: 'warn', limit: 32, phase: 'on-request' }),
      expect.objectContaining({ level: 'warn', limit: 32, phase: 'on-request' }),
    ]);
  });
});

describe('AssemblyScript guest failures', () => {
  it('a throw reports its message and the line through the SDK\'s abort', async () => {
    const { hook, logs } = await loadFixtureHook('abort', { timeout_ms: 2000 });
    expect(code(await hook.invoke('on-request', makeRequest({ path: '/x' }), null))).toBe('EH_HOOK_TRAP');
    const source = await readFile(join(FIXTURE_DIR, 'abort.as'), 'utf8');
    const line = source.split('\n').findIndex((l) => l.includes('throw new Error')) + 1;
    expect(failed(logs)).toMatchObject({ error: 'uncaught abort: limit exceeded', stack: expect.stringMatching(new RegExp(`:${line}:\\d+$`)) });
  });
});

describe('in a real node and in hook run', () => {
  let origin: TestOrigin | undefined;
  let node: EdgehookNode | undefined;
  let harness: TracingHarness | undefined;
  afterEach(async () => {
    await node?.close(0);
    await origin?.close();
    await harness?.shutdown();
    node = origin = harness = undefined;
  });

  it('the span gets an exception event with the mapped stack; the log line carries the trace id', async () => {
    harness = createTracingHarness();
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    origin = await startOrigin((_req, res) => { res.end('origin'); });
    node = await startEdgehook(origin.url, { hooks: [{ name: 'thrower', module: js.path, phases: ['on-request'], timeout_ms: 2000 }] },
      { telemetry: harness.telemetry, hookCacheDir: CACHE_DIR, logger });
    expect((await send(`${node.url}/throw`)).status).toBe(503);
    const spans = await harness.waitFor((s) => s.some((span) => span.name === 'hook thrower'));
    const event = only(spans, 'hook thrower').events.find((e) => e.name === 'exception');
    expect(event?.attributes).toMatchObject({ 'exception.type': 'EH_HOOK_TRAP', 'exception.message': 'uncaught Error: bad token nope' });
    expect(String(event?.attributes?.['exception.stacktrace'])).toContain(`js-throw.ts:${lineOf('throw new Error')}:`);
    const line = failed(lines)!;
    expect(line['trace_id']).toMatch(/^[0-9a-f]{32}$/);
    expect(lines.find((l) => l['msg'] === 'seen /throw {"n":1}')?.['trace_id']).toBe(line['trace_id']);
  });

  it('hook run prints the message and the stack on stderr and exits 1', async () => {
    const result = await promisify(execFile)(process.execPath,
      [join(ROOT, 'src/cli/main.ts'), 'hook', 'run', join(FIXTURE_DIR, 'js-throw.ts'), '--url', 'http://x.test/throw'],
      { cwd: ROOT }).then(() => null, (error: { code: number; stdout: string; stderr: string }) => error);
    expect(result?.code).toBe(1);
    expect(result?.stderr).toContain('EH_HOOK_TRAP: uncaught Error: bad token nope');
    expect(result?.stderr).toMatch(new RegExp(`at checkToken \\(js-throw\\.ts:${lineOf('throw new Error')}:\\d+\\)`));
    expect(JSON.parse(result!.stdout).logs).toContainEqual(expect.objectContaining({ msg: 'seen /throw {"n":1}' }));
  }, 120_000);
});
