/**
 * Collapsing across workers (src/pipeline/peer-fill.ts, src/cache/fill-lease.ts): a hot miss that
 * reaches every worker at once makes one origin fetch for the whole node, not one per worker.
 * Real processes (`edgehook serve --workers N` with a disk tier), a real origin counting fetches,
 * and a burst of clients each on its own connection, so the kernel spreads them over the workers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fillLeasesPath, LEASES_DB } from '../../../src/cache/fill-lease.ts';
import { spawnEdgehook, type EdgehookProcess } from '../../support/edgehook-process.ts';
import { getOnce, type FreshResponse } from '../../support/fresh-connection.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { withRawDb } from '../../support/raw-disk.ts';

const FILL_MS = 400;

let origin: TestOrigin;
let dir: string;
const nodes: EdgehookProcess[] = [];
/** Answers to hold back (the "stuck" origin); released in afterEach. */
const held: Array<() => void> = [];

beforeAll(async () => {
  origin = await startOrigin(async (req, res) => {
    if (req.url === '/stuck' && origin.count('/stuck') === 1) await new Promise<void>((resolve) => held.push(resolve));
    else if (req.url === '/each') await untilBothAsked();
    else await new Promise((resolve) => setTimeout(resolve, FILL_MS));
    const cacheable = !req.url!.startsWith('/private');
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': cacheable ? 'max-age=600' : 'no-store' });
    res.end(`body of ${req.url}`);
  });
});

/**
 * '/each' is answered once both workers have asked (or after 3 s): a first fill that finished
 * before the other worker's first client arrived would make that client a disk hit, which says
 * nothing about whether the workers wait on each other (it failed CI that way on a busy run).
 */
async function untilBothAsked(): Promise<void> {
  const deadline = performance.now() + 3_000;
  while (origin.count('/each') < 2 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

afterEach(async () => {
  for (const release of held.splice(0)) release();
  await Promise.all(nodes.splice(0).map((node) => node.stop('SIGKILL')));
  fs.rmSync(dir, { recursive: true, force: true });
});

afterAll(() => origin.close());

async function startNode(workers: number, cache: Record<string, unknown> = {}): Promise<EdgehookProcess> {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgehook-peer-fill-'));
  const node = await spawnEdgehook(origin.url, { cache: { disk: { path: dir }, ...cache } }, { workers });
  nodes.push(node);
  return node;
}

/** `clients` requests at once, each on its own connection. */
function burst(url: string, clients: number): Promise<FreshResponse[]> {
  return Promise.all(Array.from({ length: clients }, () => getOnce(url)));
}

describe('a hot miss on every worker at once', () => {
  it.each([2, 4])('makes one origin fetch with %i workers', async (workers) => {
    const node = await startNode(workers);
    const responses = await burst(`${node.url}/hot-${workers}`, 8 * workers);
    expect(responses.map((r) => [r.status, r.body])).toEqual(responses.map(() => [200, `body of /hot-${workers}`]));
    expect(origin.count(`/hot-${workers}`)).toBe(1);
    // Later requests are hits in whichever worker they reach.
    const later = await burst(`${node.url}/hot-${workers}`, 2 * workers);
    expect(later.map((r) => String(r.headers['cache-status']))).toEqual(later.map(() => expect.stringMatching(/^edgehook; hit/)));
    expect(origin.count(`/hot-${workers}`)).toBe(1);
  });

  it('makes one fetch per worker when the workers do not wait on each other (peer_fill_wait: false)', async () => {
    const node = await startNode(2, { peer_fill_wait: false });
    const responses = await burst(`${node.url}/each`, 16);
    expect(responses.every((r) => r.status === 200)).toBe(true);
    // Each worker collapses its own clients onto one fetch, and no more.
    expect(origin.count('/each')).toBe(2);
  });

  it('lets every worker fetch an object that turns out not to be storable', async () => {
    const node = await startNode(2);
    const responses = await burst(`${node.url}/private`, 16);
    expect(responses.map((r) => [r.status, r.body])).toEqual(responses.map(() => [200, 'body of /private']));
    // The waiters learn from the lease that it was not stored, and fetch for themselves.
    expect(origin.count('/private')).toBeGreaterThan(1);
    expect(origin.count('/private')).toBeLessThanOrEqual(16);
  });

  it('stops waiting on a worker that crashed while it held the lease', async () => {
    // Far longer than the test: only noticing the holder is gone can end the wait in time.
    const node = await startNode(2, { peer_fill_wait: '60s' });
    const responses = Promise.all(Array.from({ length: 16 }, () => getOnce(`${node.url}/stuck`).catch(() => null)));
    while (origin.count('/stuck') === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const holder = await leaseHolder(dir);
    process.kill(holder, 'SIGKILL');
    const answered = (await responses).filter((r): r is FreshResponse => r !== null);
    // The clients of the crashed worker lose their connections; the other worker's clients get
    // the object, fetched again once it saw the holder was gone.
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.map((r) => r.body)).toEqual(answered.map(() => 'body of /stuck'));
    expect(origin.count('/stuck')).toBe(2);
  }, 20_000);
});

/** The pid in the one lease row (what a process holding a fill lease writes there). */
async function leaseHolder(storeDir: string): Promise<number> {
  for (;;) {
    const holders = await withRawDb(fillLeasesPath(storeDir), (root) => {
      const leases = root.openDB<Buffer, string>(LEASES_DB, { encoding: 'binary' });
      return [...leases.getRange()].map(({ value }) => value.readDoubleLE(0));
    });
    if (holders.length === 1) return holders[0]!;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
