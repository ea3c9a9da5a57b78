/**
 * Micro-benchmark of the cache-hit path: nanoseconds per `get` hit on the memory store and on
 * the disk store (LMDB read, CRC of metadata and body, one body copy out of the map), for a
 * 1 KB and a 100 KB object. Not a test; run with `node bench/store-bench.ts`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDiskStore } from '../src/cache/disk-store.ts';
import { createMemoryStore } from '../src/cache/memory-store.ts';
import type { CachedObject, CacheStore } from '../src/cache/types.ts';
import { silentLogger } from '../src/log.ts';

const SIZES = [1024, 100 * 1024] as const;
const TARGET_MS = 500;

function makeObject(key: string, bytes: number): CachedObject {
  return {
    meta: {
      key, variantKey: '', url: `https://example.com/${key}`, status: 200,
      headers: [['content-type', 'application/octet-stream'], ['cache-control', 'max-age=3600'], ['etag', '"abc"']],
      varyNames: null, requestTime: Date.now(), responseTime: Date.now(), tags: ['bench'],
      policy: {
        lifetimeSeconds: 3600, initialAgeSeconds: 0, staleWhileRevalidateSeconds: 0, staleIfErrorSeconds: 0,
        mustRevalidate: false, noCache: false, etag: '"abc"',
      },
    },
    body: Buffer.alloc(bytes, 0x5a),
  };
}

/** Runs `get` in batches until TARGET_MS has passed; returns ns per call. */
function measure(store: CacheStore, key: string): number {
  let sink = 0;
  for (let i = 0; i < 1000; i++) sink += store.get(key)?.length ?? 0;
  let calls = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(TARGET_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 1000; i++) sink += store.get(key)?.length ?? 0;
    calls += 1000;
    now = process.hrtime.bigint();
  }
  if (sink !== calls + 1000) throw new Error(`a get missed (${sink} hits for ${calls + 1000} calls)`);
  return Number(now - start) / calls;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgehook-store-bench-'));
  const memory = createMemoryStore({ maxBytes: 64 * 1024 * 1024, maxEntries: 10_000 });
  const disk = createDiskStore({ path: dir, maxBytes: 256 * 1024 * 1024, logger: silentLogger });
  try {
    // A few thousand other keys so neither store is measuring a one-entry table.
    for (let i = 0; i < 2000; i++) {
      const filler = makeObject(`filler-${i}`, 512);
      memory.put(filler);
      disk.put(filler);
    }
    for (const size of SIZES) {
      const object = makeObject(`object-${size}`, size);
      memory.put(object);
      disk.put(object);
    }
    await disk.flush();
    const rows = SIZES.map((size) => ({
      object: `${size / 1024} KB`,
      'memory get (ns)': Math.round(measure(memory, `object-${size}`)),
      'disk get (ns)': Math.round(measure(disk, `object-${size}`)),
    }));
    console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'}`);
    console.table(rows);
  } finally {
    await Promise.all([memory.close(), disk.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
