/**
 * Disk stores for in-process tests: a fresh directory per test, stores opened on it closed
 * after the test, and reopening (close, then open on the same files) as a restart does.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createDiskStore, type DiskStore, type DiskStoreOptions } from '../../src/cache/disk-store.ts';
import { captureLogger } from './captured-logger.ts';

export interface DiskStores {
  /** This test's store directory. */
  dir(): string;
  open(options?: Partial<DiskStoreOptions>): DiskStore;
  reopen(store: DiskStore, options?: Partial<DiskStoreOptions>): Promise<DiskStore>;
}

export function useDiskStores(): DiskStores {
  let dir = '';
  const openStores: DiskStore[] = [];
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgehook-disk-store-'));
  });
  afterEach(async () => {
    await Promise.all(openStores.splice(0).map((store) => store.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  function open(options: Partial<DiskStoreOptions> = {}): DiskStore {
    const store = createDiskStore({ path: dir, maxBytes: 10_000_000, logger: captureLogger().logger, ...options });
    openStores.push(store);
    return store;
  }
  return {
    dir: () => dir,
    open,
    async reopen(store, options = {}) {
      await store.close();
      return open(options);
    },
  };
}
