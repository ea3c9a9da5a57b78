/**
 * A spinning hook behind a real HTTP server on port 0: the spinning request gets the fail-closed
 * 503 at its deadline and the concurrent requests are all served.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { HeaderMap } from '../../src/http/header-map.ts';
import { silentLogger } from '../../src/log.ts';
import { createHookPlan, validateHookConfig, type HookRegistry } from '../../src/hook-runtime/index.ts';
import { buildFixture, CACHE_DIR } from './support/fixtures.ts';

let server: Server;
let registry: HookRegistry;
let dir: string;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgehook-http-'));
  await copyFile((await buildFixture('spin')).path, join(dir, 'spin.wasm'));
  const { value } = validateHookConfig({ name: 'spin', module: 'spin.wasm', phases: ['on-request'], timeout_ms: 100 }, 'hooks[0]');
  registry = await createHookPlan([value!], { logger: silentLogger, clock: systemClock, baseDir: dir, cacheDir: CACHE_DIR });
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const hooks = registry.plan().select(req.method ?? 'GET', req.headers.host ?? '', url.pathname);
    const request = {
      method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), authority: req.headers.host ?? '',
      scheme: 'http' as const, headers: HeaderMap.fromRaw(req.rawHeaders), cacheKeyParts: [],
      attributes: { clientIp: req.socket.remoteAddress ?? '', geo: () => undefined, image: () => undefined }, body: null,
    };
    void Promise.resolve(hooks?.onRequest?.run(request) ?? { tag: 'continue' as const }).then((verdict) => {
      if (verdict.tag === 'respond') {
        res.writeHead(verdict.val.status, Object.fromEntries(verdict.val.headers));
        res.end(verdict.val.body);
      } else res.end('origin says hi');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  registry.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a spinning hook behind a real server', () => {
  it('answers 503 at the deadline while concurrent requests are served', async () => {
    const spin = fetch(`${base}/spin`);
    const others = Array.from({ length: 10 }, (_, i) => fetch(`${base}/page/${i}`));
    const [spun, ...served] = await Promise.all([spin, ...others]);
    expect(spun!.status).toBe(503);
    expect(spun!.headers.get('x-edgehook-error')).toBe('EH_HOOK_TIMEOUT');
    expect(await spun!.text()).toContain('hook "spin"');
    for (const response of served) {
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('origin says hi');
    }
    expect(registry.list()[0]).toMatchObject({ name: 'spin', errors: 1, calls: 11 });
  });
});
