import { describe, expect, it } from 'vitest';
import { parseListeningLine } from '../../bench/lib/child-server.ts';
import { renderNginxConfig } from '../../bench/lib/nginx.ts';
import { parseWrkOutput, wrkScript } from '../../bench/lib/wrk.ts';
import { baselineFrom, checkBaseline, type Baseline } from './baseline.ts';
import type { Summary } from './classify.ts';

function summary(requiredPassed: number, requiredFailed: number, optionalPassed: number, superseded = 0): Summary {
  return {
    required: { total: requiredPassed + requiredFailed + superseded, passed: requiredPassed, failed: requiredFailed, byOutcome: superseded === 0 ? {} : { superseded } },
    optional: { total: optionalPassed, passed: optionalPassed, failed: 0, byOutcome: {} },
    other: { total: 0, passed: 0, failed: 0, byOutcome: {} },
  };
}

describe('baseline gate', () => {
  const baseline: Baseline = { passed: 200, required_failed_max: 25, superseded_max: 2, recorded: '2026-01-01', edgehook_commit: 'abc' };

  it('passes at the baseline and says when it could be raised', () => {
    expect(checkBaseline(baseline, summary(140, 25, 60)).ok).toBe(true);
    const above = checkBaseline(baseline, summary(141, 24, 60));
    expect(above.ok).toBe(true);
    expect(above.lines.join('\n')).toMatch(/--record/);
  });

  it('fails when fewer tests pass', () => {
    expect(checkBaseline(baseline, summary(139, 25, 60))).toMatchObject({ ok: false, passedChecks: 2, failedChecks: 1 });
  });

  it('fails when more required tests fail, even if the total holds', () => {
    expect(checkBaseline(baseline, summary(140, 26, 61)).ok).toBe(false);
  });

  it('fails when more tests are superseded than recorded, so listing a test cannot hide it', () => {
    expect(checkBaseline(baseline, summary(140, 25, 60, 2)).ok).toBe(true);
    expect(checkBaseline(baseline, summary(140, 25, 60, 3))).toMatchObject({ ok: false, passedChecks: 2, failedChecks: 1 });
  });

  it('records required + optional passes and superseded tests', () => {
    expect(baselineFrom(summary(140, 25, 74, 9), 'c0ffee', new Date('2026-11-25T12:00:00Z')))
      .toEqual({ passed: 214, required_failed_max: 25, superseded_max: 9, recorded: '2026-11-25', edgehook_commit: 'c0ffee' });
  });
});

describe('child server listening line', () => {
  it.each([
    ['{"level":"info","msg":"listening","url":"http://127.0.0.1:4000"}', 'http://127.0.0.1:4000'],
    ['{"msg":"listening"}', null],
    ['{"msg":"stopped","url":"http://127.0.0.1:4000"}', null],
    ['Listening on http://:::8000/', null],
    ['{not json', null],
  ])('%s -> %s', (line, url) => {
    expect(parseListeningLine(line)).toBe(url);
  });
});

describe('nginx comparison config', () => {
  const config = renderNginxConfig({ originUrl: 'http://127.0.0.1:9001', dir: '/tmp/x', port: 4321 });

  it('listens on the inherited loopback socket and caches like upstream cache-tests does', () => {
    expect(config).toContain('listen 127.0.0.1:4321;');
    expect(config).toContain('proxy_pass http://127.0.0.1:9001;');
    expect(config).toContain('proxy_cache edge;');
    expect(config).toContain('proxy_cache_revalidate on;');
    expect(config).not.toMatch(/\/var\/(lib|cache|log)/);
  });

  it('pools origin connections only when asked', () => {
    const pooled = renderNginxConfig({ originUrl: 'http://127.0.0.1:9001', dir: '/tmp/x', port: 1, upstreamKeepalive: true });
    expect(pooled).toContain('keepalive 64;');
    expect(config).not.toContain('keepalive 64;');
  });
});

describe('wrk driver', () => {
  it('scripts POST bodies and unique paths', () => {
    const script = wrkScript({ method: 'POST', path: '/post/1k', bodyBytes: 1024, uniquePath: true }, 'run-1');
    expect(script).toContain('wrk.method = "POST"');
    expect(script).toContain('string.rep("b", 1024)');
    expect(script).toContain('"/post/1k?u="');
    expect(script).toContain('local tag = "run-1"');
  });

  it('reads the JSON line the script prints', () => {
    const stdout = 'Running 5s test\n\nEDGEHOOK_WRK_JSON {"requests":1000,"duration_us":2000000,"errors":3,"p50_us":1500,"p99_us":9000}\n';
    expect(parseWrkOutput(stdout)).toEqual({ requests: 1000, requestsPerSecond: 500, p50Ms: 1.5, p99Ms: 9, errors: 3 });
  });
});
