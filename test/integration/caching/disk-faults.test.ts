/**
 * The disk tier under faults, through real edgehook processes: a disk that fills up while the
 * node serves, and `kill -9` in the middle of a fill and of a burst of writes. After each, the
 * node must serve only whole objects (what was not stored is a miss that fetches it whole), its
 * running totals must equal what is on disk, and nothing else in the store may be damaged. The
 * store's files are audited with a raw LMDB handle (test/support/disk-audit.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { CACHE_LOG_CODES } from '../../../src/cache/cache-log-codes.ts';
import { DB_NAMES } from '../../../src/cache/disk-db.ts';
import { auditDisk } from '../../support/disk-audit.ts';
import { bodyFor } from '../../support/disk-store-process.ts';
import { spawnEdgehook, type EdgehookProcess, type SpawnOptions } from '../../support/edgehook-process.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { rawCounts } from '../../support/raw-disk.ts';

const LARGE = 4 * 1024 * 1024;
const CHUNK = 64 * 1024;

let origin: TestOrigin | undefined;
const nodes: EdgehookProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const node of nodes.splice(0)) await node.stop('SIGKILL');
  await origin?.close();
  origin = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * Every path gets a body derived from it. /large/* is streamed in chunks and, while `stall` is
 * set, stops after its first megabyte until released: the slow origin a node dies in front of.
 */
async function startBodyOrigin(): Promise<{ origin: TestOrigin; stall(): () => void }> {
  let stalled: Promise<void> | null = null;
  const started = await startOrigin(async (req, res) => {
    const path = req.url ?? '/';
    const size = path.startsWith('/large/') ? LARGE : path.startsWith('/small/') ? 20_000 : 1000;
    const body = bodyFor(path, size);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=600', 'surrogate-key': path.split('/')[1]! });
    for (let at = 0; at < size; at += CHUNK) {
      if (at === 1024 * 1024 && stalled !== null) await stalled;
      if (!res.write(body.subarray(at, at + CHUNK))) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  });
  origin = started;
  return {
    origin: started,
    stall() {
      let release = (): void => {};
      stalled = new Promise((resolve) => {
        release = () => {
          stalled = null;
          resolve();
        };
      });
      return release;
    },
  };
}

function diskDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'edgehook-disk-faults-'));
  dirs.push(dir);
  return dir;
}

async function startNode(originUrl: string, dir: string, options: SpawnOptions = {}, disk: Record<string, unknown> = {}): Promise<EdgehookProcess> {
  // A cache key includes the Host; every request names the same site, so restarts share keys.
  const node = await spawnEdgehook(originUrl, { cache: { disk: { path: dir, max_bytes: '100MiB', ...disk } } }, { admin: true, ...options });
  nodes.push(node);
  return node;
}

interface Fetched { readonly status: number; readonly cacheStatus: string; readonly whole: boolean }

async function fetchWhole(node: EdgehookProcess, path: string): Promise<Fetched> {
  const response = await request(`${node.url}${path}`, { headers: { host: 'cdn.test' } });
  const body = Buffer.from(await response.body.arrayBuffer());
  const expected = bodyFor(path, body.byteLength);
  const size = path.startsWith('/large/') ? LARGE : path.startsWith('/small/') ? 20_000 : 1000;
  return { status: response.statusCode, cacheStatus: String(response.headers['cache-status']), whole: body.byteLength === size && body.equals(expected) };
}

/** The disk tier's gauges and fault counters from /metrics. */
async function diskMetrics(node: EdgehookProcess): Promise<{ entries: number; bytes: number; faults: Record<string, number> }> {
  const text = await (await request(`${node.adminUrl}/metrics`)).body.text();
  const value = (name: string): number => Number(new RegExp(`^${name}\\{tier="disk"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  const faults: Record<string, number> = {};
  for (const [, fault, count] of text.matchAll(/^edgehook_cache_faults_total\{tier="disk",fault="([^"]+)"\} (\S+)$/gm)) faults[fault!] = Number(count);
  return { entries: value('edgehook_cache_entries'), bytes: value('edgehook_cache_size'), faults };
}

/** Waits until `count` entries are committed on disk (read by a second LMDB handle). */
async function committed(dir: string, count: number): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    if ((await rawCounts(dir, [DB_NAMES.meta]))[DB_NAMES.meta] === count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${count} entries were not committed within 5 s`);
}

function loggedCode(node: EdgehookProcess, code: string): number {
  return node.log.filter((line) => line.includes(`"code":"${code}"`)).length;
}

const paths = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('a node whose disk fills up', () => {
  it('keeps serving whole objects, reports the failed writes and keeps its totals true', async () => {
    const { origin } = await startBodyOrigin();
    const dir = diskDir();
    // No retry during the test, so the totals read below are final.
    const node = await startNode(origin.url, dir, { fileSizeBytes: 1_500_000 }, { write_retry: '10m' });
    // About 55 of these fit under the file limit.
    const small = paths('/small/', 80);
    for (const path of small) expect(await fetchWhole(node, path)).toMatchObject({ status: 200, whole: true });
    expect(node.child.exitCode).toBeNull();
    // Served again (from memory, whatever the disk holds), whole.
    for (const path of small.slice(0, 10)) expect(await fetchWhole(node, path)).toMatchObject({ status: 200, whole: true });
    expect(origin.count(small[0]!)).toBe(1);
    expect(loggedCode(node, CACHE_LOG_CODES.writeFailed)).toBe(1);
    const metrics = await diskMetrics(node);
    expect(metrics.faults.write_failed! + metrics.faults.skipped!).toBeGreaterThan(0);
    expect(await node.stop('SIGTERM')).toBe(0);
    const audit = await auditDisk(dir);
    expect(audit.problems).toEqual([]);
    expect({ entries: metrics.entries, bytes: metrics.bytes }).toEqual({ entries: audit.entries, bytes: audit.bytes });
    expect(audit.entries).toBeGreaterThan(0);
    expect(audit.entries).toBeLessThan(small.length);
  });
});

describe('kill -9', () => {
  it('in the middle of a fill leaves no partial object, and nothing else damaged', async () => {
    const { origin, stall } = await startBodyOrigin();
    const dir = diskDir();
    let node = await startNode(origin.url, dir);
    const kept = paths('/small/', 5);
    for (const path of kept) await fetchWhole(node, path);
    await committed(dir, kept.length);

    const release = stall();
    const response = await request(`${node.url}/large/object`, { headers: { host: 'cdn.test' } });
    let received = 0;
    for await (const chunk of response.body) {
      received += (chunk as Buffer).byteLength;
      if (received >= 512 * 1024) break;
    }
    await node.stop('SIGKILL');
    release();

    node = await startNode(origin.url, dir);
    const before = await diskMetrics(node);
    const audit = await auditDisk(dir);
    expect(audit.problems).toEqual([]);
    expect({ entries: before.entries, bytes: before.bytes }).toEqual({ entries: audit.entries, bytes: audit.bytes });
    expect(audit.entries).toBe(kept.length);

    const refetched = await fetchWhole(node, '/large/object');
    expect(refetched).toMatchObject({ status: 200, whole: true });
    expect(refetched.cacheStatus).toMatch(/fwd=uri-miss/);
    expect(origin.count('/large/object')).toBe(2);
    for (const path of kept) expect(await fetchWhole(node, path)).toMatchObject({ status: 200, whole: true, cacheStatus: expect.stringMatching(/hit/) });
    expect(origin.count(kept[0]!)).toBe(1);
  });

  it('during a burst of small writes leaves every entry whole and the totals right', async () => {
    const { origin } = await startBodyOrigin();
    const dir = diskDir();
    let node = await startNode(origin.url, dir);
    const kept = paths('/tiny/kept-', 10);
    for (const path of kept) await fetchWhole(node, path);
    await committed(dir, kept.length);

    // 200 objects, 40 at a time; the node dies once 100 have been answered.
    const burst = paths('/tiny/burst-', 200);
    let answered = 0;
    const killed = (async () => {
      while (answered < 100) await new Promise((resolve) => setImmediate(resolve));
      await node.stop('SIGKILL');
    })();
    for (let at = 0; at < burst.length && node.child.signalCode === null; at += 40) {
      await Promise.all(burst.slice(at, at + 40).map((path) => fetchWhole(node, path).then(() => answered++, () => undefined)));
    }
    await killed;

    node = await startNode(origin.url, dir);
    const metrics = await diskMetrics(node);
    const audit = await auditDisk(dir);
    expect(audit.problems).toEqual([]);
    expect({ entries: metrics.entries, bytes: metrics.bytes }).toEqual({ entries: audit.entries, bytes: audit.bytes });
    expect(audit.tagged.get('tiny')).toHaveLength(audit.entries);
    // Some of the burst was stored before the kill, and not all of it.
    expect(audit.entries).toBeGreaterThan(kept.length);
    expect(audit.entries).toBeLessThan(kept.length + burst.length);

    let hits = 0;
    const all = [...kept, ...burst];
    for (let at = 0; at < all.length; at += 20) {
      const group = all.slice(at, at + 20);
      const fetched = await Promise.all(group.map((path) => fetchWhole(node, path)));
      fetched.forEach((one, i) => expect(one, group[i]).toMatchObject({ status: 200, whole: true }));
      hits += fetched.filter((one) => one.cacheStatus.includes('hit')).length;
    }
    // Every entry on disk was served from it, and nothing that was not.
    expect(hits).toBe(audit.entries);
    for (const path of kept) expect(origin.count(path)).toBe(1);
  });
});
