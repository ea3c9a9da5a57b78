/**
 * A second, raw LMDB handle on a disk store's files: what another process or a bad disk would do
 * to them. Fault tests use it to damage records behind the store's back and to read what is
 * really committed.
 */
import { open, type RootDatabase } from 'lmdb';

export async function withRawDb<T>(dir: string, action: (root: RootDatabase) => Promise<T> | T): Promise<T> {
  const root = open({ path: dir, maxDbs: 8 });
  let result: T;
  try {
    result = await action(root);
  } finally {
    await root.close();
  }
  // lmdb keeps a read snapshot until a zero-delay timer resets it; a timer queued now runs after
  // the store's, so its next read sees what this handle committed (otherwise a loaded machine can
  // let the store read a snapshot from before the write).
  await new Promise((resolve) => setTimeout(resolve, 0));
  return result;
}

/** The stored bytes of `id` in database `dbName`, or undefined. */
export function rawValue(dir: string, dbName: string, id: string): Promise<Buffer | undefined> {
  return withRawDb(dir, (root) => {
    const value = root.openDB<Buffer, string>(dbName, { encoding: 'binary' }).getBinary(id);
    return value === undefined ? undefined : Buffer.from(value);
  });
}

/** Replaces the value of `id` in `dbName` with `edit(old value)`. */
export function rewriteRaw(dir: string, dbName: string, id: string, edit: (value: Buffer) => Buffer): Promise<void> {
  return withRawDb(dir, async (root) => {
    const db = root.openDB<Buffer, string>(dbName, { encoding: 'binary' });
    await db.put(id, edit(Buffer.from(db.getBinary(id) ?? Buffer.alloc(0))));
  });
}

export function flipByte(dir: string, dbName: string, id: string, offset: number): Promise<void> {
  return rewriteRaw(dir, dbName, id, (value) => {
    value[offset] = (value[offset] ?? 0) ^ 0xff;
    return value;
  });
}

export function removeRaw(dir: string, dbName: string, id: string): Promise<void> {
  return withRawDb(dir, async (root) => {
    await root.openDB<Buffer, string>(dbName, { encoding: 'binary' }).remove(id);
  });
}

export function rawHas(dir: string, dbName: string, id: string): Promise<boolean> {
  return withRawDb(dir, (root) => root.openDB<Buffer, string>(dbName, { encoding: 'binary' }).doesExist(id));
}

/** Number of keys in each of the store's databases. */
export function rawCounts(dir: string, dbNames: readonly string[]): Promise<Record<string, number>> {
  return withRawDb(dir, (root) => Object.fromEntries(
    dbNames.map((name) => [name, root.openDB(name, { keyEncoding: 'binary' }).getCount()]),
  ));
}
