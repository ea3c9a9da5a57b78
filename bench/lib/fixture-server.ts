/**
 * The bench's origin and its "bare" baseline: one tiny node:http server serving fixed bytes from
 * memory. Running the same program as both means edgehook and the baseline send identical bodies
 * and headers, so the ratio measures the proxy and nothing else.
 *
 *   GET  /hit/<size>    Cache-Control: public, max-age=3600   (cacheable; query string ignored)
 *   GET  /miss/<size>   Cache-Control: no-store               (every request reaches the origin)
 *   POST /post/<size>   reads the request body, answers <size> bytes, no-store
 *   GET  /__stats       {"requests": N, "otlpExports": M} — requests served so far, excluding /__stats
 *                       itself and OTLP exports
 *   GET  /image/photo-1mp.jpg   a 1 MP JPEG, public, max-age=3600 (query string ignored; the image group)
 *   GET  /md/<size>     a Markdown document of about <size> bytes, text/markdown, public, max-age=3600
 *                       (the markdown-to-html example: stored converted, hits served as HTML)
 *   POST /v1/<signal>   a no-op OTLP/HTTP receiver (traces, metrics): reads and drops the export,
 *                       answers an empty success; the tracing bench group points edgehook here
 *
 * <size> is bytes with an optional k suffix (1k = 1024). Prints the CLI's listening line.
 * Run: node bench/lib/fixture-server.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import sharp from 'sharp';
import { benchMarkdown } from './markdown-doc.ts';
import { profileOnSignal } from './profile-on-signal.ts';

const MAX_SIZE = 16 * 1024 * 1024;
const bodies = new Map<number, Buffer>();
let served = 0;
let otlpExports = 0;

function parseSize(text: string): number | null {
  const match = /^(\d+)(k?)$/.exec(text);
  if (!match) return null;
  const size = Number(match[1]) * (match[2] === 'k' ? 1024 : 1);
  return size <= MAX_SIZE ? size : null;
}

/** Deterministic bytes, built once per size so the hot path only writes a Buffer. */
function bodyOf(size: number): Buffer {
  let body = bodies.get(size);
  if (body === undefined) {
    body = Buffer.alloc(size, 'edgehook-bench-');
    bodies.set(size, body);
  }
  return body;
}

function send(response: ServerResponse, size: number, cacheControl: string): void {
  const body = bodyOf(size);
  response.writeHead(200, {
    'content-type': 'application/octet-stream', 'content-length': body.length, 'cache-control': cacheControl,
  });
  response.end(body);
}

const markdowns = new Map<number, Buffer>();

function sendMarkdown(response: ServerResponse, size: number): void {
  let body = markdowns.get(size);
  if (body === undefined) markdowns.set(size, (body = Buffer.from(benchMarkdown(size))));
  response.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8', 'content-length': body.length, 'cache-control': 'public, max-age=3600' });
  response.end(body);
}

function route(request: IncomingMessage, response: ServerResponse): void {
  const [, kind = '', sizeText = ''] = (request.url ?? '/').split('?')[0]!.split('/');
  if (kind === '__stats') {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify({ requests: served, otlpExports }));
    return;
  }
  if (kind === 'v1' && request.method === 'POST') return dropOtlpExport(request, response);
  served += 1;
  if (kind === 'image' && sizeText === 'photo-1mp.jpg' && request.method === 'GET') return sendPhoto(response);
  const size = parseSize(sizeText);
  if (size === null) return void response.writeHead(404).end();
  if (kind === 'hit' && request.method === 'GET') return send(response, size, 'public, max-age=3600');
  if (kind === 'md' && request.method === 'GET') return sendMarkdown(response, size);
  if (kind === 'miss' && request.method === 'GET') return send(response, size, 'no-store');
  if (kind === 'post' && request.method === 'POST') {
    request.resume();
    request.once('end', () => send(response, size, 'no-store'));
    return;
  }
  response.writeHead(405).end();
}

/** A 1000 × 1000 JPEG, built once at startup: blurred noise compresses about like a photo (~180 KB). */
const PHOTO = await sharp({ create: { width: 1000, height: 1000, channels: 3, background: '#6a8caf', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
  .blur(1.2).jpeg({ quality: 85 }).toBuffer();

function sendPhoto(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': PHOTO.length, 'cache-control': 'public, max-age=3600' });
  response.end(PHOTO);
}

/** An empty ExportTraceServiceResponse (or metrics) is a full success in OTLP/HTTP, protobuf or JSON. */
function dropOtlpExport(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  request.once('end', () => {
    otlpExports += 1;
    const json = request.headers['content-type'] === 'application/json';
    response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    response.end(json ? '{}' : '');
  });
}

const server = createServer({ keepAliveTimeout: 30_000 }, route);
profileOnSignal();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}` }) + '\n');
});
