/**
 * Generates the typed bindings hook authors import (`declare module 'edgehook:hooks/...'`) from
 * wit/ with jco's guest-types. `node hooks/build/generate-types.ts` rewrites hooks/types/; the
 * test test/hooks/sdk-sync.test.ts fails when the committed files drift from the WIT.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { WIT_PATH } from '../../src/hook-runtime/contract.ts';

export const TYPES_DIR = fileURLToPath(new URL('../types/', import.meta.url));
const JCO = fileURLToPath(new URL('../../node_modules/@bytecodealliance/jco/dist/jco.js', import.meta.url));

/** Generates the bindings into a fresh temporary directory and returns {relative path: text}. */
export async function generateGuestTypes(): Promise<Map<string, string>> {
  const out = await mkdtemp(join(tmpdir(), 'edgehook-types-'));
  try {
    await promisify(execFile)(process.execPath, [JCO, 'guest-types', WIT_PATH, '--world-name', 'hook-all', '-q', '-o', out]);
    const files = new Map<string, string>();
    for (const entry of await readdir(out, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      files.set(path.slice(out.length + 1), await readFile(path, 'utf8'));
    }
    return files;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'edgehook-types-'));
  await promisify(execFile)(process.execPath, [JCO, 'guest-types', WIT_PATH, '--world-name', 'hook-all', '-q', '-o', out]);
  await rm(TYPES_DIR, { recursive: true, force: true });
  await cp(out, TYPES_DIR, { recursive: true });
  await rm(out, { recursive: true, force: true });
  process.stdout.write(`wrote ${TYPES_DIR}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
