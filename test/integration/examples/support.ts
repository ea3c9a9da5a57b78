/**
 * Shared setup of the example end-to-end tests: builds an example's two sources (hook.as through
 * the AssemblyScript path, hook.ts through `edgehook hook build`'s QuickJS path) in test setup,
 * cached by content hash under .cache (never committed), so one test table can run against both
 * language versions and keep them behaviourally identical.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHook } from '../../../hooks/build/build-hook.ts';
import { CACHE_DIR, ROOT } from '../../hooks/support/fixtures.ts';

export type ExampleLanguage = 'assemblyscript' | 'typescript';

/** Both languages, for `describe.each`. */
export const LANGUAGES: readonly ExampleLanguage[] = ['assemblyscript', 'typescript'];

/** Builds examples/<name>/hook.as or hook.ts and returns the component's path. */
export async function buildExample(name: string, language: ExampleLanguage): Promise<string> {
  const entry = join(ROOT, 'examples', name, language === 'assemblyscript' ? 'hook.as' : 'hook.ts');
  const { component } = await buildHook(entry, { cacheDir: CACHE_DIR });
  const path = join(CACHE_DIR, 'example-builds', `${name}-${language}.wasm`);
  await mkdir(join(CACHE_DIR, 'example-builds'), { recursive: true });
  await writeFile(path, component);
  return path;
}

/**
 * Per-language hook settings. A QuickJS build's first call after load also compiles the engine's
 * code (65 ms measured on this shared machine; steady calls ~0.3 ms), past the default 50 ms
 * deadline: the examples' READMEs tell operators to give the TS build `timeout_ms: 500`.
 */
export function languageSettings(language: ExampleLanguage): Record<string, unknown> {
  return language === 'typescript' ? { timeout_ms: 500 } : {};
}

/**
 * Geo for the examples' tests without geoip-lite's data: clients are told apart by the
 * X-Forwarded-For a trusted loopback peer sends, and the override table locates them.
 */
export const TEST_GEO = {
  proxy: { trusted_proxies: ['127.0.0.1'] },
  geo: {
    database: 'none',
    overrides: [
      { cidr: '203.0.113.0/24', country: 'DE', region: 'BE', eu: true },
      { cidr: '198.51.100.0/24', country: 'US', region: 'CA', eu: false },
      { cidr: '192.0.2.0/24', country: 'KP', eu: false },
      { cidr: '100.64.0.0/24', country: 'FR', region: 'IDF', eu: true },
      { cidr: '100.64.1.0/24', country: 'CA', region: 'QC', eu: false },
    ],
  },
} as const;

/** X-Forwarded-For headers that make a request come from a test client. */
export const CLIENT = {
  germany: { 'x-forwarded-for': '203.0.113.7' },
  germanyToo: { 'x-forwarded-for': '203.0.113.8' },
  france: { 'x-forwarded-for': '100.64.0.5' },
  canada: { 'x-forwarded-for': '100.64.1.5' },
  usa: { 'x-forwarded-for': '198.51.100.9' },
  northKorea: { 'x-forwarded-for': '192.0.2.1' },
  unknown: { 'x-forwarded-for': '10.1.2.3' },
} as const;
