/**
 * Issue 13, the access log: one structured line per request — JSON with the fields chosen, or an
 * nginx-style template — to a file that SIGUSR1 reopens, sampled and filtered; and the error
 * log: an origin that fails is logged with its stable code, rate-limited per code.
 */
import { mkdtempSync, readFileSync, renameSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureLogger } from '../../support/captured-logger.ts';
import { get, startEdgehook, type RawConfig } from '../../support/edgehook.ts';
import { spawnEdgehook } from '../../support/edgehook-process.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';

const servers = closeAfterEach();
const dir = mkdtempSync(join(tmpdir(), 'edgehook-access-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;

async function pageOrigin(): Promise<TestOrigin> {
  return servers.track(await startOrigin((req, res) => {
    if (req.url === '/missing') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no\n');
      return;
    }
    res.writeHead(200, { 'cache-control': 'max-age=60', 'content-type': 'text/plain' }).end('x'.repeat(1000));
  }));
}

/** Starts a node whose access log goes to a fresh file; returns the node and a reader of its lines. */
async function withAccessLog(origin: TestOrigin, access: RawConfig) {
  const path = join(dir, `access-${++fileCount}.log`);
  const node = servers.track(await startEdgehook(origin.url, { log: { access: { path, ...access } } }));
  const lines = async (): Promise<string[]> => {
    // Lines written in one turn leave together on the next (log-sink.ts); a close flushes too.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((line) => line !== '') : [];
  };
  return { node, lines, path };
}

describe('access log (issue 13)', () => {
  it('writes one JSON line per request: a miss with its origin, then a hit', async () => {
    const origin = await pageOrigin();
    const { node, lines } = await withAccessLog(origin, {});
    await get(`${node.url}/page`);
    await get(`${node.url}/page`, { headers: { 'user-agent': 'test' } });
    const [miss, hit, ...rest] = (await lines()).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rest).toEqual([]);
    expect(Object.keys(miss!)).toEqual([
      'time', 'client_ip', 'method', 'url', 'status', 'bytes', 'duration_ms', 'ttfb_ms', 'cache_status', 'result',
      'origin_status', 'origin_ms', 'hooks', 'completed', 'trace_id',
    ]);
    expect(miss).toMatchObject({ client_ip: '127.0.0.1', method: 'GET', url: '/page', status: 200, result: 'miss', origin_status: 200, completed: true, hooks: null, trace_id: null });
    expect(String(miss!.cache_status)).toMatch(/^edgehook; fwd=uri-miss; fwd-status=200/);
    expect(hit).toMatchObject({ status: 200, result: 'hit', origin_status: null, origin_ms: null, completed: true });
    // The whole response on the wire: head and 1000 body bytes.
    for (const line of [miss!, hit!]) {
      expect(line.bytes).toBeGreaterThan(1000);
      expect(line.ttfb_ms).toBeGreaterThanOrEqual(0);
      expect(line.duration_ms).toBeGreaterThanOrEqual(line.ttfb_ms as number);
      expect(Date.parse(String(line.time))).toBeGreaterThan(Date.now() - 60_000);
    }
    expect(miss!.origin_ms).toBeGreaterThanOrEqual(0);
  });

  it('takes a field list and an nginx-style template', async () => {
    const origin = await pageOrigin();
    const json = await withAccessLog(origin, { fields: ['status', 'method', 'user_agent'] });
    await get(`${json.node.url}/page`, { headers: { 'user-agent': 'curl/8' } });
    expect(await json.lines()).toEqual(['{"status":200,"method":"GET","user_agent":"curl/8"}']);

    const text = await withAccessLog(origin, { format: '$client_ip "$method $url" $status $result ${origin_status} $hooks' });
    await get(`${text.node.url}/page`);
    expect(await text.lines()).toEqual(['127.0.0.1 "GET /page" 200 miss 200 -']);
  });

  it('filters errors only, and samples', async () => {
    const origin = await pageOrigin();
    const errors = await withAccessLog(origin, { filter: 'errors', fields: ['url', 'status'] });
    await get(`${errors.node.url}/page`);
    await get(`${errors.node.url}/missing`);
    expect(await errors.lines()).toEqual(['{"url":"/missing","status":404}']);

    const none = await withAccessLog(origin, { sample: 0 });
    await get(`${none.node.url}/page`);
    expect(await none.lines()).toEqual([]);
  });

  it('refuses unknown fields at load, naming the key', async () => {
    const origin = await pageOrigin();
    await expect(startEdgehook(origin.url, { log: { access: { fields: ['status', 'bytez'] } } })).rejects.toThrow(/log\.access\.fields: expected a field name \(.*\), got "bytez"/);
    await expect(startEdgehook(origin.url, { log: { access: { format: '$status $latency' } } })).rejects.toThrow('log.access.format: unknown field $latency in the template');
  });

  it('refuses a path it cannot open, at startup, naming log.access.path', async () => {
    const origin = await pageOrigin();
    await expect(startEdgehook(origin.url, { log: { access: { path: join(dir, 'no-such-dir', 'access.log') } } }))
      .rejects.toThrow(/^log\.access\.path: cannot open .*no-such-dir\/access\.log for appending: ENOENT/);
  });

  it('with workers: SIGUSR1 to the primary makes every worker reopen the file (logrotate)', { timeout: 60_000 }, async () => {
    const origin = await pageOrigin();
    const path = join(dir, 'rotated.log');
    const node = await spawnEdgehook(origin.url, { log: { access: { path, fields: ['url'] } } }, { workers: 2 });
    try {
      for (let i = 0; i < 6; i++) await get(`${node.url}/before-${i}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      renameSync(path, `${path}.1`);
      process.kill(node.pid, 'SIGUSR1');
      await new Promise((resolve) => setTimeout(resolve, 300));
      // New connections each (fetch's pool would keep one worker): both workers get some.
      for (let i = 0; i < 6; i++) await get(`${node.url}/after-${i}`, { headers: { connection: 'close' } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const rotated = readFileSync(`${path}.1`, 'utf8');
      const fresh = readFileSync(path, 'utf8');
      expect(rotated.match(/before-/g)).toHaveLength(6);
      expect(rotated).not.toContain('after-');
      expect(fresh.match(/after-/g)).toHaveLength(6);
    } finally {
      expect(await node.stop()).toBe(0);
    }
  });
});

describe('error log (issue 13)', () => {
  it('logs each origin failure with its code and trace fields, rate-limited per code, and reports what it held back', async () => {
    // A port nothing listens on: every fetch is refused.
    const gone = await startOrigin(() => {});
    const url = gone.url;
    await gone.close();
    const { logger, lines } = captureLogger();
    const node = servers.track(await startEdgehook(url, { log: { error_burst: 3, error_window: '300ms' } }, { logger }));
    for (let i = 0; i < 10; i++) expect((await get(`${node.url}/p${i}`)).status).toBe(502);
    const failures = lines.filter((line) => line.msg === 'origin request failed');
    expect(failures).toHaveLength(3);
    expect(failures[0]).toMatchObject({ level: 'error', code: 'EH_ORIGIN_CONNECT', cause: 'ECONNREFUSED', method: 'GET', url: '/p0' });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(lines.filter((line) => line.msg === 'errors suppressed')).toEqual([
      expect.objectContaining({ code: 'EH_ORIGIN_CONNECT', suppressed: 7, window_ms: 300 }),
    ]);
    // A new window writes again.
    await get(`${node.url}/again`);
    expect(lines.filter((line) => line.msg === 'origin request failed')).toHaveLength(4);
  });
});
