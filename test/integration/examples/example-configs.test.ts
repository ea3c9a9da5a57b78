/**
 * Every example's edgehook.yaml loads as a node config (so the snippet an operator copies is
 * valid), and its README documents every field the snippet's hook `config` sets.
 */
import { readdirSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.ts';
import { ROOT } from '../../hooks/support/fixtures.ts';

const EXAMPLES = readdirSync(join(ROOT, 'examples'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'examples', entry.name, 'edgehook.yaml')))
  .map((entry) => entry.name);

/** Dotted paths of an object's leaves (arrays are leaves): { cors: { origins } } → cors.origins. */
function fieldPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => fieldPaths(inner, prefix === '' ? key : `${prefix}.${key}`));
}

/** cors.origins → [cors.origins, cors]. */
function prefixes(path: string): string[] {
  const parts = path.split('.');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('.'));
}

describe('examples/*/edgehook.yaml', () => {
  it('covers the deployable examples', () => {
    expect(EXAMPLES).toEqual(expect.arrayContaining(['signed-downloads', 'upload-auth', 'security-headers', 'geo-rules', 'image-resize', 'markdown-to-html']));
  });

  it.each(EXAMPLES)('%s: loads, and its README documents every hook config field', async (name) => {
    const config = await loadConfigFile(join(ROOT, 'examples', name, 'edgehook.yaml'), { env: {} });
    expect(config.hooks.length).toBeGreaterThan(0);
    const readme = await readFile(join(ROOT, 'examples', name, 'README.md'), 'utf8');
    for (const hook of config.hooks) {
      expect(hook.module).toBe(join(ROOT, 'examples', name, 'hook.wasm'));
      for (const field of fieldPaths(hook.config)) {
        // A field, or the map it is a key of (groups.eu: `groups` maps names the operator chooses).
        const documented = prefixes(field).find((prefix) => readme.includes(`\`${prefix}\``));
        expect(documented, `${name}: ${field}`).toBeDefined();
      }
    }
  });
});
