/**
 * Flow tests (`edgehook hook test`, issue #12): fixture files run through a real node — all three
 * phases, a real origin, the real cache — with geo from a real geoip-lite lookup (or the case's
 * override) and image attributes from a real image file. Both through the library export
 * (src/hook-test, as an author's vitest suite would) and through the real CLI.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The documented import path for an author's own suite (package.json "exports").
import { formatHookTestReport, runHookTests } from 'edgehook/hook-test';
import { CACHE_DIR, FIXTURE_DIR, ROOT } from './support/fixtures.ts';

const HOOK = join(FIXTURE_DIR, 'flow.as');
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgehook-flow-'));
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } }).png().toFile(join(dir, 'photo.png'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const PASSING = `
name: flow hook
cases:
  - name: geo from a real lookup reaches the origin; on-response marks the answer
    request: { url: /page, client_ip: 81.2.69.142 }
    origin: { headers: { content-type: text/plain, cache-control: max-age=30 }, body: hello }
    expect:
      status: 200
      body: hello
      headers: { x-served-by: flow, x-country: null }
      ttl: 30
      origin_request: { path: /page, headers: { x-country: GB } }
      logs: [country seen]
  - name: the case's geo overrides the lookup
    request: { url: /page, client_ip: 81.2.69.142 }
    geo: { country: NZ }
    expect: { origin_request: { headers: { x-country: NZ } } }
  - name: image attributes from a real image file set the TTL and a tag
    request: { url: /photo.png }
    origin: { headers: { content-type: image/png }, body_file: photo.png }
    expect: { status: 200, ttl: 120, tags: [img-64], stored: true }
  - name: a local answer never reaches the origin
    request: { url: /deny }
    expect: { status: 403, body: denied, origin_request: null, headers: { x-served-by: flow } }
`;

const FAILING = `
- name: wrong expectations
  request: { url: /page, client_ip: 81.2.69.142 }
  origin: { headers: { cache-control: max-age=30 } }
  expect: { status: 201, ttl: 99, origin_request: { headers: { x-country: FR } }, logs: [never logged] }
`;

describe('flow tests through the library export', () => {
  it('runs every case through a real node and passes', async () => {
    await writeFile(join(dir, 'pass.yaml'), PASSING);
    const report = await runHookTests({ hook: HOOK, files: [join(dir, 'pass.yaml')], cacheDir: CACHE_DIR });
    expect(formatHookTestReport(report)).toMatch(/4 passed, 0 failed$/);
  }, 180_000);

  it('reports each difference readably', async () => {
    await writeFile(join(dir, 'fail.yaml'), FAILING);
    const report = await runHookTests({ hook: HOOK, files: [join(dir, 'fail.yaml')], cacheDir: CACHE_DIR });
    expect(report.failed).toBe(1);
    expect(report.results[0]!.differences).toEqual([
      'status: expected 201, got 200',
      'ttl: expected 99 s, got 30 s',
      'origin header x-country: expected "FR", got "GB"',
      'logs: expected a line containing "never logged", got ["country seen"]',
    ]);
  }, 180_000);

  it('refuses a misspelled key, naming the file, the case and the key', async () => {
    await writeFile(join(dir, 'typo.yaml'), '- name: typo\n  request: { url: / }\n  expect: { stauts: 200 }\n');
    await expect(runHookTests({ hook: HOOK, files: [join(dir, 'typo.yaml')], cacheDir: CACHE_DIR }))
      .rejects.toThrow(`${join(dir, 'typo.yaml')}: "typo": expect.stauts: unknown key (did you mean "status"?)`);
  });
});

describe('edgehook hook test (the real CLI)', () => {
  const cli = (args: string[]) => promisify(execFile)(process.execPath, [join(ROOT, 'bin/edgehook.js'), 'hook', 'test', ...args], { cwd: ROOT })
    .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);

  it('exits 0 with a line per case when every case passes, 1 with the diff when one fails', async () => {
    await writeFile(join(dir, 'pass.yaml'), PASSING);
    await writeFile(join(dir, 'fail.yaml'), FAILING);
    const pass = await cli([join(dir, 'pass.yaml'), '--hook', HOOK]);
    expect(pass.code).toBe(0);
    expect(pass.stdout).toContain('✓');
    expect(pass.stdout).toContain('4 passed, 0 failed');
    const fail = await cli([join(dir, 'fail.yaml'), '--hook', HOOK]);
    expect(fail.code).toBe(1);
    expect(fail.stderr).toContain('✗');
    expect(fail.stderr).toContain('    origin header x-country: expected "FR", got "GB"');
    expect(fail.stderr).toContain('0 passed, 1 failed');
  }, 180_000);
});
