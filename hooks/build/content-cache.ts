/**
 * A content-addressed file cache: builds and prepared modules are stored under
 * `<dir>/<sha256 of inputs>` so rebuilding unchanged sources is a file read.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function sha256Hex(...parts: ReadonlyArray<string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(part);
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Returns the cached bytes for `key`, or builds, stores (atomically) and returns them. */
export async function cachedBytes(
  dir: string, key: string, build: () => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const file = join(dir, key);
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    const bytes = await build();
    await mkdir(dir, { recursive: true });
    // Write then rename, so concurrent test workers never read a half-written file.
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, file);
    return bytes;
  }
}
