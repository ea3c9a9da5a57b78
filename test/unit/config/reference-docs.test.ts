import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { AnyField } from '../../../src/config/dsl/field.ts';
import { renderConfigDocs } from '../../../src/config/docs.ts';
import { loadConfigFile, resolveConfig } from '../../../src/config/load.ts';
import { edgehookSchema } from '../../../src/config/schema.ts';

const root = new URL('../../../', import.meta.url);

/** Every key path in the schema, e.g. "cache.memory.max_bytes", "hooks[].name". */
function keyPaths(field: AnyField, prefix = ''): string[] {
  const shape = field.shape ?? field.item?.shape;
  if (shape === undefined) return [prefix];
  const base = field.shape === undefined ? `${prefix}[]` : prefix;
  return Object.entries(shape).flatMap(([key, child]) => keyPaths(child, base === '' ? key : `${base}.${key}`));
}

describe('docs/configuration.md', () => {
  it('is up to date with the schema (regenerate: npx node src/config/docs.ts > docs/configuration.md)', async () => {
    expect(await readFile(new URL('docs/configuration.md', root), 'utf8')).toBe(renderConfigDocs());
  });

  it('documents every key with a type, a default and a meaning', () => {
    const rows = new Map(renderConfigDocs().split('\n').filter((line) => line.startsWith('| `')).map((line) => {
      const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim());
      return [cells[0]?.replaceAll('`', ''), cells.slice(1)] as const;
    }));
    for (const path of keyPaths(edgehookSchema)) {
      const cells = rows.get(path);
      expect(cells, path).toHaveLength(3);
      for (const cell of cells ?? []) expect(cell, path).not.toBe('');
    }
  });
});

describe('examples/edgehook.yaml', () => {
  const file = new URL('examples/edgehook.yaml', root).pathname;

  it('loads, and spells out exactly the defaults', async () => {
    const example = await loadConfigFile(file, { env: {} });
    expect(example).toEqual(resolveConfig({ origin: { url: example.origin.url } }, { env: {} }));
  });

  it('mentions every key', async () => {
    const text = await readFile(file, 'utf8');
    for (const path of keyPaths(edgehookSchema)) {
      const key = path.split('.').at(-1)?.replace('[]', '') ?? path;
      expect(text, path).toMatch(new RegExp(`^[ #-]*${key}:`, 'm'));
    }
  });
});
