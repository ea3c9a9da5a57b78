import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createHookPlan, validateHookConfig, type HookConfig } from '../../src/hook-runtime/index.ts';
import { buildFixture, CACHE_DIR } from './support/fixtures.ts';
import { makeRequest } from './support/states.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgehook-hooks-'));
  await copyFile((await buildFixture('continue')).path, join(dir, 'continue.wasm'));
  await copyFile((await buildFixture('deny')).path, join(dir, 'deny.wasm'));
  await copyFile((await buildFixture('rewrite')).path, join(dir, 'rewrite.wasm'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

function config(raw: Record<string, unknown>): HookConfig {
  const { value, errors } = validateHookConfig({ phases: ['on-request'], ...raw }, 'hooks[0]');
  expect(errors).toEqual([]);
  return value!;
}
const deps = () => ({ logger: silentLogger, clock: systemClock, baseDir: dir, cacheDir: CACHE_DIR });

describe('createHookPlan', () => {
  it('selects hooks by host, path glob and method, and returns null when none match', async () => {
    const registry = await createHookPlan([
      config({ name: 'rewrite', module: 'rewrite.wasm', phases: ['on-request', 'on-response'], routes: [{ path: '/static/**' }] }),
      config({ name: 'deny', module: './deny.wasm', routes: [{ host: '*.internal.test', methods: ['POST'] }] }),
    ], deps());
    const plan = registry.plan();
    expect(plan.select('GET', 'example.com', '/other')).toBeNull();
    const rewrite = plan.select('GET', 'example.com:8080', '/static/a/b.css');
    expect(rewrite?.onRequest).not.toBeNull();
    expect(rewrite?.onResponse).not.toBeNull();
    expect(rewrite?.onOriginResponse).toBeNull();
    expect(plan.select('GET', 'api.internal.test', '/x')).toBeNull();
    const deny = plan.select('POST', 'api.internal.test', '/x');
    const verdict = await deny!.onRequest!.run(makeRequest());
    expect(verdict.tag).toBe('respond');
    expect(plan.select('GET', 'example.com', '/static/x')).toBe(rewrite); // memoised
    expect(registry.list().map((h) => [h.name, h.calls, h.circuit])).toEqual([['rewrite', 0, 'closed'], ['deny', 1, 'closed']]);
    registry.close();
  });

  it('refuses a module that does not export a bound phase, naming the hook and the export', async () => {
    await expect(createHookPlan([config({ name: 'only-req', module: 'continue.wasm', phases: ['on-response'] })], deps()))
      .rejects.toThrow(/hook "only-req" is bound to on-response .*edgehook:hooks\/on-response@0\.1\.0#handle/);
  });

  it('reloads atomically: in-flight requests keep their version, a broken module keeps the old one', async () => {
    const file = join(dir, 'swap.wasm');
    await copyFile(join(dir, 'continue.wasm'), file);
    const registry = await createHookPlan([config({ name: 'swap', module: 'swap.wasm' })], deps());
    const before = registry.plan().select('GET', 'a.test', '/')!;
    const v1 = registry.list()[0]!.sha256;
    await copyFile(join(dir, 'deny.wasm'), file);
    const result = await registry.reload();
    expect(result.ok).toBe(true);
    expect(result.hooks[0]).toMatchObject({ name: 'swap', changed: true });
    expect(registry.list()[0]!.sha256).not.toBe(v1);
    expect((await registry.plan().select('GET', 'a.test', '/')!.onRequest!.run(makeRequest())).tag).toBe('respond');
    expect((await before.onRequest!.run(makeRequest())).tag).toBe('continue'); // the old version
    await writeFile(file, 'not wasm');
    const failed = await registry.reload();
    expect(failed.ok).toBe(false);
    expect(failed.hooks[0]!.error).toMatch(/hook "swap"/);
    expect((await registry.plan().select('GET', 'a.test', '/')!.onRequest!.run(makeRequest())).tag).toBe('respond');
    registry.close();
  });

  it('refuses a local module whose sha256 does not match', async () => {
    await expect(createHookPlan([config({ name: 'pinned', module: 'continue.wasm', sha256: '0'.repeat(64) })], deps()))
      .rejects.toThrow(/sha256 mismatch/);
  });
});

describe('https:// modules pinned by sha256', () => {
  let server: Server | undefined;
  let ca = '';
  let base = '';
  const hasOpenssl = (() => { try { execFileSync('openssl', ['version']); return true; } catch { return false; } })();

  beforeAll(async () => {
    if (!hasOpenssl) return;
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-days', '1', '-keyout', key, '-out', cert],
    { stdio: 'ignore' });
    ca = await readFile(cert, 'utf8');
    const module = await readFile(join(dir, 'continue.wasm'));
    server = createServer({ key: await readFile(key), cert: ca }, (req, res) => {
      if (req.url === '/continue.wasm') res.end(module);
      else { res.statusCode = 404; res.end(); }
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => { server?.close(); });

  it.skipIf(!hasOpenssl)('loads a module whose sha256 matches and refuses one that does not', async () => {
    const sha256 = (await buildFixture('continue')).sha256;
    const registry = await createHookPlan([config({ name: 'remote', module: `${base}/continue.wasm`, sha256 })],
      { ...deps(), httpsCa: ca });
    expect(registry.list()[0]!.sha256).toBe(sha256);
    registry.close();
    await expect(createHookPlan([config({ name: 'remote', module: `${base}/continue.wasm`, sha256: 'a'.repeat(64) })],
      { ...deps(), httpsCa: ca })).rejects.toThrow(/sha256 mismatch/);
  });

  it('requires a sha256 for https:// modules', () => {
    const { errors } = validateHookConfig({ name: 'x', module: 'https://127.0.0.1/x.wasm', phases: ['on-request'] }, 'hooks[3]');
    expect(errors).toContainEqual({ path: 'hooks[3].sha256', message: 'is required for an https:// module' });
  });
});
