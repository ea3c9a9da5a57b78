/**
 * The disk tier when its disk is full. LMDB grows its map on demand (lmdb-js), so MDB_MAP_FULL
 * does not happen; what does is the filesystem refusing to grow the data file. Each store runs
 * in a child process under a file-size limit, which lmdb meets exactly as a full filesystem: the
 * commit fails with an I/O error. The store must lose only the writes of that commit, keep its
 * running totals equal to what is on disk, keep purged objects purged, keep reading what it has,
 * and store again once eviction has made room — all without taking its process down.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CACHE_LOG_CODES } from '../../src/cache/cache-log-codes.ts';
import { auditDisk } from '../support/disk-audit.ts';
import { spawnDiskStore, type DiskStoreProcess } from '../support/disk-store-process.ts';

/** Room for a few dozen 20 kB objects; the data file starts near 100 kB. */
const FILE_LIMIT = 1_500_000;
const BODY = 20_000;

let dir: string;
const children: DiskStoreProcess[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgehook-disk-full-'));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A store whose bound (100 MB) the disk cannot hold: the misconfiguration that fills disks. */
function fullDiskStore(): DiskStoreProcess {
  const child = spawnDiskStore({ path: dir, maxBytes: 100_000_000, writeRetryMs: 20 }, { fileSizeBytes: FILE_LIMIT });
  children.push(child);
  return child;
}

const keys = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('disk store on a full disk', () => {
  it('loses only the writes that did not fit, keeps serving what it holds and its totals true', async () => {
    const store = fullDiskStore();
    await store.put(keys('old', 10), BODY, ['old']);
    await store.flush();
    expect(await store.get(keys('old', 10))).toEqual(Array(10).fill('hit'));
    // Batches of 10, committed one after another, until well past what the file can hold.
    for (let batch = 0; batch < 12; batch++) {
      await store.put(keys(`b${batch}-`, 10), BODY, ['new']);
      await store.flush();
    }
    const failed = store.logged(CACHE_LOG_CODES.writeFailed);
    expect(failed.length).toBeGreaterThan(0);
    // One line per failed commit at most, not one per object lost.
    expect(failed.length).toBeLessThan(12);
    const all = [...keys('old', 10), ...Array.from({ length: 12 }, (_, b) => keys(`b${b}-`, 10)).flat()];
    const reads = await store.get(all);
    expect(reads).not.toContain('damaged');
    const stats = await store.close();
    const audit = await auditDisk(dir);
    expect(audit.problems).toEqual([]);
    expect({ entries: stats.entries, bytes: stats.bytes }).toEqual({ entries: audit.entries, bytes: audit.bytes });
    // Every read found exactly what is on disk (reads come before close, and a retry may evict after).
    expect(reads.filter((r) => r === 'hit').length).toBeGreaterThanOrEqual(audit.entries);
  });

  it('stores again once eviction has made room in the file', async () => {
    const store = fullDiskStore();
    for (let batch = 0; batch < 12; batch++) {
      await store.put(keys(`fill${batch}-`, 10), BODY);
      await store.flush();
    }
    expect(store.logged(CACHE_LOG_CODES.writeFailed).length).toBeGreaterThan(0);
    // After the failures, new objects are stored again (older ones make way), one batch at a time.
    const late = keys('late', 5);
    let stored = 0;
    for (let attempt = 0; attempt < 20 && stored < late.length; attempt++) {
      await store.put(late, BODY);
      await store.flush();
      await store.wait(25);
      stored = (await store.get(late)).filter((r) => r === 'hit').length;
    }
    expect(stored).toBe(late.length);
    const stats = await store.close();
    const audit = await auditDisk(dir);
    expect(audit.problems).toEqual([]);
    expect({ entries: stats.entries, bytes: stats.bytes }).toEqual({ entries: audit.entries, bytes: audit.bytes });
  });

  it('closes when its last write failed', async () => {
    const store = fullDiskStore();
    await store.put(['huge'], 2 * FILE_LIMIT);
    await store.flush();
    expect(store.logged(CACHE_LOG_CODES.writeFailed)).toHaveLength(1);
    const hung = new Promise((resolve) => setTimeout(() => resolve('still closing after 5 s'), 5000).unref());
    expect(await Promise.race([store.close().then(() => 'closed'), hung])).toBe('closed');
  });

  it('keeps purged objects purged when the purge shares a commit that fails', async () => {
    const store = fullDiskStore();
    await store.put(keys('victim', 5), BODY, ['victim']);
    await store.put(keys('bystander', 5), BODY, ['bystander']);
    await store.flush();
    // One transaction: an object larger than the disk has room for, and the purge.
    const [, purged] = await store.batch([{ op: 'put', keys: ['huge'], bytes: 2 * FILE_LIMIT }, { op: 'purge-tag', tag: 'victim' }]);
    expect(purged).toBe(5);
    await store.flush();
    expect(store.logged(CACHE_LOG_CODES.writeFailed).length).toBeGreaterThan(0);
    expect(await store.get(keys('victim', 5))).toEqual(Array(5).fill('miss'));
    expect(await store.get(['huge'])).toEqual(['miss']);
    // The purge is retried until it commits; then it is on disk, not only in this process.
    await store.wait(100);
    await store.flush();
    const stats = await store.close();
    const audit = await auditDisk(dir);
    expect(audit.problems).toEqual([]);
    expect(audit.tagged.get('victim')).toBeUndefined();
    expect(audit.tagged.get('bystander')).toHaveLength(5);
    expect({ entries: stats.entries, bytes: stats.bytes }).toEqual({ entries: audit.entries, bytes: audit.bytes });
  });
});
