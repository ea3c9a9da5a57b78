/**
 * The example hooks `edgehook demo` runs, built from examples/ (cached by content hash, so only
 * the first demo pays the ~1 s AssemblyScript build) and bound to the demo origin's routes.
 */
import { createHmac } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHook } from '../../hooks/build/build-hook.ts';

/** The demo's signing key; a real deployment keeps its key out of the config file's history. */
export const DEMO_SIGNING_KEY = 'edgehook-demo-signing-key';

interface DemoHook {
  readonly name: string;
  readonly phases: readonly string[];
  readonly routes: readonly Record<string, unknown>[];
  readonly config: unknown;
}

const DEMO_HOOKS: readonly DemoHook[] = [
  { name: 'signed-downloads', phases: ['on-request'], routes: [{ path: '/files/**' }], config: { secret: DEMO_SIGNING_KEY } },
  { name: 'geo-headers', phases: ['on-request'], routes: [{}], config: 'CU,KP' },
  { name: 'cache-ttl', phases: ['on-origin-response'], routes: [{ path: '/static/**' }], config: '300' },
];

/** Builds the example hooks and returns raw `hooks:` config items pointing at the built modules. */
export async function buildDemoHooks(cacheDir: string): Promise<Record<string, unknown>[]> {
  const outDir = join(cacheDir, 'demo-hooks');
  await mkdir(outDir, { recursive: true });
  return Promise.all(DEMO_HOOKS.map(async (hook) => {
    const entry = fileURLToPath(new URL(`../../examples/${hook.name}/hook.as`, import.meta.url));
    const { component } = await buildHook(entry, { cacheDir });
    const module = join(outDir, `${hook.name}.wasm`);
    await writeFile(module, component);
    return { name: hook.name, module, phases: hook.phases, routes: hook.routes, config: hook.config };
  }));
}

/** A download URL the signed-downloads hook accepts for the next hour (examples/signed-downloads/README.md). */
export function signedDemoPath(path: string, nowMs: number): string {
  const expires = Math.floor(nowMs / 1000) + 3600;
  const sig = createHmac('sha256', DEMO_SIGNING_KEY).update(`${path}\n${expires}`).digest('base64url');
  return `${path}?expires=${expires}&sig=${sig}`;
}
