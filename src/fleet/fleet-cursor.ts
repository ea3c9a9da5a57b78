/**
 * Where a node is in the fleet's stream, kept beside its disk cache (`<cache.disk.path>/fleet-state.json`)
 * so that a restart resumes after the last entry applied to that cache. With it, `cacheStart`:
 * when this cache began (entries before it cannot concern anything in it, so a node reads from
 * there, skipping older ones in one XREAD). A node without a disk tier starts with an empty memory
 * cache each time, so its cache starts when it does and nothing is written.
 *
 * Written with write-then-rename so a crash leaves the old cursor or the new one, never half of
 * one; a lost write only means entries are applied again, which purges and deploys bear.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FleetPosition {
  /** The last entry applied (`<ms>-<seq>`); null = none yet. */
  readonly lastApplied: string | null;
  /** When this node's cache began (ms since the epoch); 0 = unknown (an existing cache with no cursor). */
  readonly cacheStart: number;
}

export interface FleetCursor {
  readonly initial: FleetPosition;
  save(lastApplied: string): Promise<void>;
}

/** The cursor beside `diskPath`, or an in-memory one (no disk tier) starting at `now`. */
export async function openFleetCursor(diskPath: string | null, stream: string, now: number): Promise<FleetCursor> {
  if (diskPath === null) return { initial: { lastApplied: null, cacheStart: now }, save: async () => {} };
  const file = join(diskPath, 'fleet-state.json');
  const initial = await readPosition(file, stream) ?? {
    lastApplied: null,
    // A disk store made before fleet was on may hold objects from any time: read the whole stream.
    cacheStart: existsSync(join(diskPath, 'data.mdb')) ? 0 : now,
  };
  let writing: Promise<void> = Promise.resolve();
  return {
    initial,
    save(lastApplied) {
      const text = JSON.stringify({ stream, lastApplied, cacheStart: initial.cacheStart }) + '\n';
      writing = writing.then(async () => {
        await mkdir(diskPath, { recursive: true });
        await writeFile(`${file}.tmp`, text);
        await rename(`${file}.tmp`, file);
      });
      return writing;
    },
  };
}

async function readPosition(file: string, stream: string): Promise<FleetPosition | null> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
  const { stream: was, lastApplied, cacheStart } = (raw ?? {}) as Record<string, unknown>;
  // Another stream's position means nothing here: start as a node new to this one.
  if (was !== stream || typeof cacheStart !== 'number') return null;
  return { lastApplied: typeof lastApplied === 'string' ? lastApplied : null, cacheStart };
}
