/**
 * Image transforms in the span tree and the metrics: a variant miss shows where its time went —
 * the original's fetch and the transform — and each transform is counted by format and result.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { EdgehookNode } from '../../src/node.ts';
import { makeImages } from '../attributes/support.ts';
import { send, startEdgehook } from '../support/edgehook.ts';
import { startOrigin, type TestOrigin } from '../support/origin.ts';
import { createTracingHarness, only, parentId, spanId, type TracingHarness } from './support/in-memory-tracing.ts';

let jpeg: Buffer;
let origin: TestOrigin | undefined;
let node: EdgehookNode | undefined;
let harness: TracingHarness | undefined;

beforeAll(async () => {
  jpeg = (await makeImages()).jpeg;
});
afterEach(async () => {
  await node?.close(0);
  await origin?.close();
  await harness?.shutdown();
  node = origin = harness = undefined;
});

const hasServer = (spans: readonly ReadableSpan[]): boolean => spans.some((s) => s.kind === SpanKind.SERVER);

describe('image transform telemetry', () => {
  it('a variant miss: the transform is a child span of the request, and counted by format and result', async () => {
    harness = createTracingHarness();
    origin = await startOrigin((req, res) => {
      const corrupt = req.url?.startsWith('/img/broken') === true;
      const body = corrupt ? Buffer.from('not a jpeg at all') : jpeg;
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length, 'cache-control': 'max-age=60' });
      res.end(body);
    });
    node = await startEdgehook(origin.url, { image: { transform_query: { path_prefixes: ['/img/'] } } }, { telemetry: harness.telemetry });
    expect((await send(`${node.url}/img/photo.jpg?w=320&fmt=webp`)).headers['content-type']).toBe('image/webp');
    const spans = await harness.waitFor((s) => hasServer(s) && s.some((x) => x.name === 'image transform'));
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    const transform = only(spans, 'image transform');
    expect(parentId(transform)).toBe(spanId(server));
    expect(transform.attributes['edgehook.transform.outcome']).toBe('ok');
    expect(String(transform.attributes['edgehook.transform.kind'])).toMatch(/w320.*webp/);
    expect(spans.some((s) => s.kind === SpanKind.CLIENT && String(s.attributes['url.full']).endsWith('/img/photo.jpg'))).toBe(true);

    await send(`${node.url}/img/broken.jpg?w=100&fmt=webp`);
    const lines = (await send(`${node.adminUrl}/metrics`)).body.split('\n');
    expect(lines).toContain('edgehook_transforms_total{kind="webp",outcome="ok"} 1');
    expect(lines.some((line) => /^edgehook_transforms_total\{kind="webp",outcome="(corrupt|unsupported)"\} 1$/.test(line))).toBe(true);
    expect(lines).toContain('edgehook_transform_duration_count 2');
  });
});
