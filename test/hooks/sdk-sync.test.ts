import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AS_DECLARATIONS_PATH, asDeclarations } from '../../hooks/build/as-declarations.ts';
import { generateGuestTypes, TYPES_DIR } from '../../hooks/build/generate-types.ts';
import { contractWit } from '../../src/hook-runtime/contract.ts';
import { ROOT } from './support/fixtures.ts';

/** `interface name { fn: func(...) }` → ['name/fn', ...] for the host-import interfaces. */
function witImports(wit: string): string[] {
  const names: string[] = [];
  for (const match of wit.matchAll(/interface ([a-z-]+) \{([\s\S]*?)\n\}/g)) {
    const iface = match[1]!;
    if (iface === 'types' || iface.startsWith('on-')) continue;
    for (const fn of match[2]!.matchAll(/^\s+([a-z0-9-]+): func\(/gm)) names.push(`${iface}/${fn[1]}`);
  }
  return names.sort();
}

describe('SDKs stay in sync with wit/', () => {
  it('hooks/types/ is what jco guest-types generates (run: node hooks/build/generate-types.ts)', async () => {
    const generated = await generateGuestTypes();
    const committed = new Map<string, string>();
    for (const entry of await readdir(TYPES_DIR, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) committed.set(join(entry.parentPath, entry.name).slice(TYPES_DIR.length), await readFile(join(entry.parentPath, entry.name), 'utf8'));
    }
    expect(Object.fromEntries(committed)).toEqual(Object.fromEntries(generated));
  }, 60_000);

  it('the AssemblyScript SDK declares exactly the imports of the WIT', async () => {
    const sdk = await readFile(join(ROOT, 'hooks/assemblyscript/edgehook.as'), 'utf8');
    const declared = [...sdk.matchAll(/@external\("edgehook:hooks\/([a-z-]+)@0\.1\.0", "([a-z0-9-]+)"\)/g)]
      .map((m) => `${m[1]}/${m[2]}`).sort();
    expect(declared).toEqual(witImports(contractWit()));
  });

  it('hooks/assemblyscript/edgehook.d.ts (editor types) is what the SDK declares (run: node hooks/build/as-declarations.ts)', async () => {
    expect(await readFile(AS_DECLARATIONS_PATH, 'utf8')).toBe(await asDeclarations());
  });
});
