/**
 * A Range near the end of a large object (or, with --full, the whole of it), on a miss: time to the first byte, time until the last
 * requested byte, and the bytes the origin sent — with the object stored whole (cache.max_object_bytes
 * above its size: the fill reads the whole object first), passed through (the default bound: the
 * Range is not honoured, the client gets all of it), and sliced (cache.slice). Not a test; run with
 * `node bench/range-bench.ts [--size 1GiB] [--slice 1MiB] [--tail 1MiB | --full]`. Each scenario starts a
 * fresh edgehook in its own process (so a busy event loop there does not hold up this client);
 * the origin is local and unpaced, so the figures are this machine's memory speed.
 */
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { parseBytes } from '../src/config/parse-bytes.ts';
import type { RawConfig } from '../test/support/edgehook.ts';
import { spawnEdgehook } from '../test/support/edgehook-process.ts';
import { expectedBytes, startRangedOrigin } from '../test/support/ranged-origin.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: '1GiB' }, slice: { type: 'string', default: '1MiB' }, tail: { type: 'string', default: '1MiB' }, full: { type: 'boolean', default: false } } });
const size = bytes(values.size);
const sliceSize = bytes(values.slice);
const start = values.full ? 0 : size - bytes(values.tail);
const MiB = 1024 * 1024;

const scenarios: Array<[string, RawConfig]> = [
  ['stored whole (max_object_bytes > size)', { cache: { max_object_bytes: size + MiB, memory: { max_bytes: 2 * size } } }],
  ['passed through (default max_object_bytes)', {}],
  [`sliced (${values.slice})`, { cache: { slice: { size: `${sliceSize}B`, paths: ['/**'] } } }],
];

const origin = await startRangedOrigin();
origin.set('/object', { size, version: 1, headers: { 'cache-control': 'max-age=600' } });
console.log(`${values.full ? 'GET' : `Range bytes=${start}-`} of a ${values.size} object, on a miss:`);
console.log('| scenario | status | first byte | last requested byte | origin sent |');
console.log('|---|---|---|---|---|');
for (const [name, raw] of scenarios) {
  const node = await spawnEdgehook(origin.url, raw);
  const sentBefore = origin.sent.bytes;
  const began = performance.now();
  const response = await request(`${node.url}/object`, { headers: values.full ? {} : { range: `bytes=${start}-` } });
  let firstByteMs = 0;
  let received = 0;
  const tail: Buffer[] = [];
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    if (received === 0) firstByteMs = performance.now() - began;
    received += chunk.length;
    // A 200 carries the whole object: keep only what the range asked for, to check it.
    const skip = response.statusCode === 200 ? Math.max(0, start - (received - chunk.length)) : 0;
    if (skip < chunk.length) tail.push(chunk.subarray(skip));
  }
  const lastByteMs = performance.now() - began;
  const correct = Buffer.concat(tail).equals(expectedBytes(start, size - 1, 1));
  const sent = (origin.sent.bytes - sentBefore) / MiB;
  console.log(`| ${name} | ${response.statusCode}${correct ? '' : ' (WRONG BYTES)'} | ${firstByteMs.toFixed(0)} ms | ${lastByteMs.toFixed(0)} ms | ${sent.toFixed(1)} MiB |`);
  await node.stop();
}
await origin.close();

function bytes(text: string): number {
  const parsed = parseBytes(text);
  if (parsed === undefined) throw new Error(`not a size: ${text}`);
  return parsed;
}
