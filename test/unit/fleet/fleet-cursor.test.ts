/** The position kept beside the disk cache: what a restart resumes from, and when a cache began. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFleetCursor } from '../../../src/fleet/fleet-cursor.ts';
import { createPurgeResults } from '../../../src/fleet/purge-results.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgehook-cursor-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openFleetCursor', () => {
  it('without a disk tier: the cache starts now and nothing is written', async () => {
    const cursor = await openFleetCursor(null, 's', 1234);
    expect(cursor.initial).toEqual({ lastApplied: null, cacheStart: 1234 });
    await cursor.save('5-0');
  });

  it('a new disk cache starts now; an existing one without a cursor may hold anything (0)', async () => {
    expect((await openFleetCursor(join(dir, 'new'), 's', 1234)).initial).toEqual({ lastApplied: null, cacheStart: 1234 });
    await writeFile(join(dir, 'data.mdb'), '');
    expect((await openFleetCursor(dir, 's', 1234)).initial).toEqual({ lastApplied: null, cacheStart: 0 });
  });

  it('resumes from the last saved entry, keeping when the cache began', async () => {
    const first = await openFleetCursor(dir, 's', 1000);
    await first.save('1500-0');
    await first.save('1600-2');
    expect(JSON.parse(await readFile(join(dir, 'fleet-state.json'), 'utf8'))).toEqual({ stream: 's', lastApplied: '1600-2', cacheStart: 1000 });
    expect((await openFleetCursor(dir, 's', 9999)).initial).toEqual({ lastApplied: '1600-2', cacheStart: 1000 });
  });

  it('a position in another stream means nothing here', async () => {
    await (await openFleetCursor(dir, 'a', 1000)).save('1500-0');
    expect((await openFleetCursor(dir, 'b', 2000)).initial.lastApplied).toBeNull();
  });
});

describe('createPurgeResults', () => {
  it('answers a waiter when its purge is applied, and one that asks after', async () => {
    const results = createPurgeResults();
    const waiting = results.wait('1-0', 5_000);
    results.applied('1-0', 3);
    expect(await waiting).toBe(3);
    results.applied('2-0', 7);
    expect(await results.wait('2-0', 5_000)).toBe(7);
  });

  it('gives null when the purge is not applied in time', async () => {
    expect(await createPurgeResults().wait('3-0', 10)).toBeNull();
  });
});
