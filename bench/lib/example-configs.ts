/**
 * The deployable examples (examples/<name>/hook.as and hook.ts) as bench variants: one config per
 * example and language, written under .cache/bench/, and the signed URL and bearer token the
 * scenarios send so that the hooks take their accepting path (the costly one: HMAC and parsing).
 * Shared by the `examples` group of bench/run.ts (req/s) and bench/examples-bench.ts (µs per call).
 */
import { createHmac } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildHook } from '../../hooks/build/build-hook.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CACHE_DIR = join(ROOT, '.cache');
const OUT_DIR = join(CACHE_DIR, 'bench');
const SECRET = 'bench-secret-0123456789abcdef0123';

/** 2100-01-01: far enough that a bench never meets the expiry. */
const FAR_FUTURE = 4_102_444_800;

export type ExampleLanguage = 'as' | 'ts';

export interface ExampleVariant {
  readonly id: string;
  readonly example: string;
  readonly language: ExampleLanguage;
  readonly phases: readonly string[];
  readonly routes: readonly Record<string, unknown>[];
  readonly config: Record<string, unknown>;
  /** The hook's `body` settings, when it reads bodies. */
  readonly body?: Record<string, unknown>;
}

/** A download the signed-downloads hook accepts (the fixture server ignores the query). */
export function signedBenchPath(path: string): string {
  const sig = createHmac('sha256', SECRET).update(`${path}\n${FAR_FUTURE}`).digest('base64url');
  return `${path}?expires=${FAR_FUTURE}&sig=${sig}`;
}

/** A bearer token upload-auth accepts for uploads under /post/. */
export function benchUploadToken(): string {
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'bench', scope: '/post/', exp: FAR_FUTURE })}`;
  return `Bearer ${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
}

const EXAMPLES: readonly Omit<ExampleVariant, 'id' | 'language'>[] = [
  { example: 'signed-downloads', phases: ['on-request'], routes: [{ path: '/hit/**' }], config: { secret: SECRET } },
  { example: 'upload-auth', phases: ['on-request'], routes: [{ path: '/post/**', methods: ['PUT', 'POST'] }], config: { secret: SECRET, max_bytes: 1_048_576 } },
  {
    example: 'security-headers', phases: ['on-request', 'on-response'], routes: [{}],
    config: { csp: "default-src 'self'", permissions_policy: 'camera=()', cors: { origins: ['https://app.example'] } },
  },
  {
    example: 'geo-rules', phases: ['on-request', 'on-response'], routes: [{}],
    config: { block: [{ name: 'sanctions', countries: ['KP'] }], redirect: [{ countries: ['FR'], host: 'fr.example' }], groups: { eu: ['DE', 'FR'], na: ['US'] } },
  },
  // On the bench's text routes: the hook's whole path runs (query, hints, Accept, content-type) but
  // no image is transformed, so the figure is the hook's own cost, not sharp's (bench/image-bench.ts).
  { example: 'image-resize', phases: ['on-request', 'on-origin-response', 'on-response'], routes: [{}], config: { widths: [320, 640, 1280] } },
  // Bound to every route like the others: a hit never calls an on-origin-response hook, so the
  // req/s figure is what the hook costs a hit (its route), and the miss/per-call figures the conversion.
  {
    example: 'markdown-to-html', phases: ['on-origin-response'], routes: [{}], config: { stylesheet: '/style.css' },
    body: { response: 1_048_576, overflow: 'pass' },
  },
];

export const EXAMPLE_VARIANTS: readonly ExampleVariant[] = EXAMPLES.flatMap((e) => (['as', 'ts'] as const).map((language) => ({ ...e, id: `${e.example}-${language}`, language })));

export function exampleConfigPath(variant: ExampleVariant): string {
  return join(OUT_DIR, `examples-${variant.id}.yaml`);
}

/** Builds the variant's component (cached by content hash) and returns its path. */
export async function buildExampleVariant(variant: ExampleVariant): Promise<string> {
  const entry = join(ROOT, 'examples', variant.example, variant.language === 'as' ? 'hook.as' : 'hook.ts');
  const { component } = await buildHook(entry, { cacheDir: CACHE_DIR });
  await mkdir(OUT_DIR, { recursive: true });
  const module = join(OUT_DIR, `example-${variant.id}.wasm`);
  await writeFile(module, component);
  return module;
}

/** Builds every variant and writes its config; run before the group starts its targets. */
export async function prepareExampleConfigs(): Promise<void> {
  for (const variant of EXAMPLE_VARIANTS) {
    const module = await buildExampleVariant(variant);
    const hook = {
      name: variant.example, module, phases: variant.phases, routes: variant.routes, config: variant.config,
      ...(variant.body === undefined ? {} : { body: variant.body }),
      // QuickJS's first call after load compiles the engine (examples/*/README.md, "Cost").
      timeout_ms: variant.language === 'ts' ? 500 : 50,
    };
    // JSON is YAML: the config file is written as JSON text.
    await writeFile(exampleConfigPath(variant), `${JSON.stringify({ hooks: [hook] }, null, 2)}\n`);
  }
}
