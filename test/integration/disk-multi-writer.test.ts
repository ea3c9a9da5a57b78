/**
 * One disk store shared by several processes, as the workers of one node share it (issue 10,
 * "Every core"). LMDB serialises write transactions across processes, so whatever a store keeps
 * must live in the database and change inside those transactions: the running totals every
 * process reports, the eviction-order stamps, the bound, the tag index. Each store here runs in
 * its own real process (disk-store-child.ts), and the files are audited afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditDisk } from '../support/disk-audit.ts';
import { spawnDiskStore, type DiskStoreProcess } from '../support/disk-store-process.ts';

const BODY = 2_000;

let dir: string;
const children: DiskStoreProcess[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgehook-disk-shared-'));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  fs.rmSync(dir, { recursive: true, force: true });
});

function storeProcess(maxBytes: number): DiskStoreProcess {
  const child = spawnDiskStore({ path: dir, maxBytes });
  children.push(child);
  return child;
}

const keys = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

/** Both processes write `rounds` batches of `perRound` objects each, interleaved, then flush. */
async function writeFromBoth(a: DiskStoreProcess, b: DiskStoreProcess, rounds: number, perRound: number, tags: readonly string[] = []): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    await Promise.all([a.put(keys(`a${round}-`, perRound), BODY, tags), b.put(keys(`b${round}-`, perRound), BODY, tags)]);
  }
  await Promise.all([a.flush(), b.flush()]);
}

describe('a disk store written by several processes', () => {
  it('keeps one set of totals that every process reports and the files agree with', async () => {
    const [a, b] = [storeProcess(100_000_000), storeProcess(100_000_000)];
    await writeFromBoth(a, b, 10, 5);
    const [fromA, fromB] = await Promise.all([a.stats(), b.stats()]);
    const audit = await auditDisk(dir);
    expect(audit.problems).toEqual([]);
    expect(audit.entries).toBe(100);
    // Each process sees the node's store, not only what it wrote itself.
    expect(fromA).toMatchObject({ entries: 100, bytes: audit.bytes });
    expect(fromB).toMatchObject({ entries: 100, bytes: audit.bytes });
  });

  it('stays within its bound when the writes that cross it come from different processes', async () => {
    const probe = storeProcess(100_000_000);
    await probe.put(['probe'], BODY);
    await probe.flush();
    const one = (await probe.close()).bytes;
    // Room for 30 of the 100 objects written below.
    const maxBytes = one * 30 + 10;
    const [a, b] = [storeProcess(maxBytes), storeProcess(maxBytes)];
    await writeFromBoth(a, b, 10, 5);
    // One more object from each, one after the other: the newest of both processes stay.
    await a.put(['a-last'], BODY);
    await a.flush();
    await b.put(['b-last'], BODY);
    await b.flush();
    const audit = await auditDisk(dir);
    expect(audit.problems).toEqual([]);
    expect(audit.bytes).toBeLessThanOrEqual(maxBytes);
    const [fromA, fromB] = await Promise.all([a.stats(), b.stats()]);
    expect(fromA).toMatchObject({ bytes: audit.bytes, entries: audit.entries });
    // Evictions are the store's: every object written (the probe too) that did not fit, whoever evicted it.
    expect(fromA.evictions).toBe(103 - audit.entries);
    expect(fromB.evictions).toBe(fromA.evictions);
    expect(await a.get(['a-last', 'b-last'])).toEqual(['hit', 'hit']);
  });

  it('purges by tag what another process stored, and the index stays whole under concurrent writes', async () => {
    const [a, b] = [storeProcess(100_000_000), storeProcess(100_000_000)];
    await writeFromBoth(a, b, 4, 5, ['t']);
    // While b keeps writing tagged objects, a purges the tag: every object committed before the
    // purge's transaction goes, the ones after stay, and each one that stays is indexed.
    const [purged] = await Promise.all([a.purgeTag('t'), b.put(keys('late-', 5), BODY, ['t'])]);
    await Promise.all([a.flush(), b.flush()]);
    expect(purged).toBeGreaterThanOrEqual(40);
    expect(await b.get(keys('a0-', 5))).toEqual(Array(5).fill('miss'));
    const audit = await auditDisk(dir);
    expect(audit.problems).toEqual([]);
    expect(audit.danglingIndexKeys).toBe(0);
    expect(audit.entries).toBe(audit.tagged.get('t')?.length ?? 0);
    expect(await a.stats()).toMatchObject({ entries: audit.entries, bytes: audit.bytes });
  });

  it('takes up the totals and stamps where the other process left them when it opens later', async () => {
    const a = storeProcess(100_000_000);
    await a.put(keys('first-', 20), BODY);
    await a.flush();
    // b opens (and recounts) on a store a keeps writing to; then both write.
    const b = storeProcess(100_000_000);
    await b.stats();
    await writeFromBoth(a, b, 2, 5);
    const audit = await auditDisk(dir);
    expect(audit.problems).toEqual([]);
    expect(audit.entries).toBe(40);
    expect(await a.stats()).toMatchObject({ entries: 40, bytes: audit.bytes });
    expect(await b.stats()).toMatchObject({ entries: 40, bytes: audit.bytes });
  });
});
