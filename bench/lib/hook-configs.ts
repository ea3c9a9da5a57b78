/**
 * Configs for the hook-overhead bench group: the same node with one on-request hook — a no-op or
 * a header rewrite, on the fast AssemblyScript path and on QuickJS — and one AssemblyScript no-op
 * bound to all three phases (a hit runs two of them: on-request and on-response), built from the
 * test fixtures (cached by content hash) and written under .cache/bench/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHook } from '../../hooks/build/build-hook.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CACHE_DIR = join(ROOT, '.cache');
const OUT_DIR = join(CACHE_DIR, 'bench');

export interface HookVariant {
  readonly id: string;
  readonly fixture: string;
  /** Phases the hook is bound to; on-request alone when absent. */
  readonly phases?: readonly string[];
}

export const HOOK_VARIANTS: readonly HookVariant[] = [
  { id: 'noop-as', fixture: 'continue.as' },
  { id: 'noop-as-3-phases', fixture: 'continue-all.as', phases: ['on-request', 'on-origin-response', 'on-response'] },
  { id: 'rewrite-as', fixture: 'header.as' },
  { id: 'noop-quickjs', fixture: 'js-noop.ts' },
  { id: 'rewrite-quickjs', fixture: 'js-header.ts' },
];

export function hookConfigPath(variant: HookVariant): string {
  return join(OUT_DIR, `hooks-${variant.id}.yaml`);
}

/** Builds every variant's module and writes its config; run before the group starts its targets. */
export async function prepareHookConfigs(): Promise<void> {
  await mkdir(OUT_DIR, { recursive: true });
  for (const variant of HOOK_VARIANTS) {
    const { component } = await buildHook(join(ROOT, 'test', 'fixtures', 'hooks', variant.fixture), { cacheDir: CACHE_DIR });
    const module = join(OUT_DIR, `${variant.id}.wasm`);
    await writeFile(module, component);
    const yaml = [
      `# Bench variant ${variant.id}: one hook on every route (${variant.fixture}).`,
      'hooks:',
      `  - name: ${variant.id}`,
      `    module: ${JSON.stringify(module)}`,
      `    phases: [${(variant.phases ?? ['on-request']).join(', ')}]`,
      '    timeout_ms: 100ms',
      '    memory_mb: 64',
      '',
    ].join('\n');
    await writeFile(hookConfigPath(variant), yaml);
  }
}
