/**
 * Image transform bench, in process: transforms per second of a 1 MP JPEG → 320 px WebP through
 * the same transformer the proxy uses (limits, limiter and sharp), at 1 and at the default
 * concurrency, and the cost of reading image attributes (headers only). No network.
 *   node bench/image-bench.ts [--seconds 5]     (pin it for steadier numbers: taskset -c 0 node …)
 */
import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import { inspectImage } from '../src/attributes/image.ts';
import { createImageTransformer } from '../src/attributes/transform.ts';
import { resolveTransform } from '../src/attributes/transform-spec.ts';

const SECONDS = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 5;
const LIMITS = { maxBytes: 20 * 2 ** 20, maxPixels: 40_000_000 };

// The same synthetic photo the HTTP bench origin serves (bench/lib/fixture-server.ts).
const photo = await sharp({ create: { width: 1000, height: 1000, channels: 3, background: '#6a8caf', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
  .blur(1.2).jpeg({ quality: 85 }).toBuffer();
const resolved = resolveTransform({ width: 320, format: 'webp' }, { maxWidth: 4096, maxHeight: 4096, defaultQuality: 80, negotiate: [] }, undefined);
if (resolved.tag !== 'ok') throw new Error(resolved.val);
const transform = resolved.val;

async function transformsPerSecond(concurrency: number): Promise<number> {
  const transformer = createImageTransformer({ ...LIMITS, concurrency, maxWaiting: 1024, timeoutSeconds: 30 });
  const deadline = performance.now() + SECONDS * 1000;
  let done = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const outcome = await transformer.transform(photo, transform);
      if (outcome.tag !== 'ok') throw new Error(`refused: ${outcome.val}`);
      done++;
    }
  }));
  return done / ((performance.now() - started) / 1000);
}

async function microsPerInspect(iterations: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < iterations; i++) await inspectImage(photo, LIMITS);
  return ((performance.now() - started) * 1000) / iterations;
}

console.log(`1 MP JPEG (${photo.length} bytes) → 320 px WebP q80; sharp ${sharp.versions.sharp}, libvips ${sharp.versions.vips}; ${availableParallelism()} CPUs visible`);
await transformsPerSecond(1); // warm up libvips
for (const concurrency of [1, Math.min(4, availableParallelism())]) {
  console.log(`concurrency ${concurrency}: ${(await transformsPerSecond(concurrency)).toFixed(1)} transforms/s`);
}
console.log(`image attributes (metadata, headers only): ${(await microsPerInspect(2000)).toFixed(1)} µs per image`);
