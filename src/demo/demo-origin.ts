/**
 * The bundled demo origin: a small site whose endpoints each show one caching behaviour, so
 * `edgehook demo` has something real to sit in front of. Deterministic bodies, no dependencies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoOrigin {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

type Endpoint = (req: IncomingMessage, res: ServerResponse, rest: string) => void;

const STARTED = new Date();
const EXAMPLE_NAMES: Record<string, string> = { '/big/': '10', '/docs/': 'guide.md', '/files/': 'report.pdf', '/img/': 'photo.jpg', '/uploads/': 'demo/hello.txt' };

const ENDPOINTS: ReadonlyArray<readonly [prefix: string, doc: string, handler: Endpoint]> = [
  ['/static/', 'cacheable for 60 s, with ETag and Last-Modified (revalidated with 304 once stale); purge tag "static"', (req, res, rest) => {
    const body = `static asset ${rest}\n`;
    const etag = `"${Buffer.from(rest).toString('hex').slice(0, 16)}-1"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag, 'cache-control': 'public, max-age=60' });
      res.end();
      return;
    }
    send(res, 200, body, { 'cache-control': 'public, max-age=60', etag, 'last-modified': STARTED.toUTCString(), 'surrogate-key': 'static' });
  }],
  ['/news', 'max-age=5 with stale-while-revalidate=30: served stale while refreshed in the background', (_req, res) => {
    send(res, 200, `news at ${new Date().toISOString()}\n`, { 'cache-control': 'max-age=5, stale-while-revalidate=30' });
  }],
  ['/time', 'Cache-Control: no-store: always fetched from the origin', (_req, res) => {
    send(res, 200, `${new Date().toISOString()}\n`, { 'cache-control': 'no-store' });
  }],
  ['/slow', 'takes 500 ms, cacheable for 30 s: concurrent misses collapse into one origin fetch', (_req, res) => {
    setTimeout(() => send(res, 200, `slow response made at ${new Date().toISOString()}\n`, { 'cache-control': 'max-age=30' }), 500);
  }],
  ['/lang', 'Vary: Accept-Language: one cached variant per language', (req, res) => {
    const lang = (req.headers['accept-language'] ?? 'en').split(',')[0]!.trim();
    send(res, 200, `hello in ${lang}\n`, { 'cache-control': 'max-age=60', vary: 'Accept-Language', 'content-language': lang });
  }],
  ['/flaky', 'fails every other minute with 503; stale-if-error=600 keeps serving the last good copy', (_req, res) => {
    if (new Date().getMinutes() % 2 === 1) send(res, 503, 'origin trouble\n', { 'retry-after': '30' });
    else send(res, 200, `good copy from ${new Date().toISOString()}\n`, { 'cache-control': 'max-age=10, stale-if-error=600' });
  }],
  ['/private', 'Cache-Control: private: never stored by a shared cache', (_req, res) => {
    send(res, 200, 'your account page\n', { 'cache-control': 'private, max-age=60' });
  }],
  ['/big/', 'streams N MiB (/big/100 = 100 MiB), cacheable: the client gets bytes while the cache fills', (_req, res, rest) => {
    const mib = Math.min(Math.max(Number.parseInt(rest, 10) || 1, 1), 1024);
    streamBytes(res, mib * 1024 * 1024);
  }],
  ['/files/', 'downloads behind the signed-downloads hook: unsigned or expired URLs get 403 before the cache, even on hits', (_req, res, rest) => {
    send(res, 200, `contents of ${rest}\n`, { 'cache-control': 'public, max-age=3600', 'content-type': 'application/octet-stream' });
  }],
  ['/upload', 'POST/PUT a body of any size: the origin counts the bytes it received (streamed end to end)', (req, res) => countBytes(req, res)],
  ['/img/', 'a 1600 x 1067 JPEG behind the image-resize hook: ?w=300 or client hints, format from Accept', (_req, res) => {
    void demoPhoto().then((photo) => {
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': photo.length, 'cache-control': 'public, max-age=3600' });
      res.end(photo);
    });
  }],
  ['/uploads/', 'uploads behind the upload-auth hook: PUT/POST need a bearer JWT (401/403/411/413 at the edge otherwise)', (req, res) => countBytes(req, res)],
  ['/docs/', 'Markdown (guide.md; huge.md is ~100 KiB) behind the markdown-to-html hook: stored and served as HTML pages', (_req, res, rest) => {
    const doc = DOCS[rest];
    if (doc === undefined) send(res, 404, '# Not found\n', { 'content-type': 'text/markdown; charset=utf-8', 'cache-control': 'max-age=10' });
    else send(res, 200, doc, { 'content-type': rest.endsWith('.md') ? 'text/markdown; charset=utf-8' : 'text/plain; charset=utf-8', 'cache-control': 'public, max-age=300', etag: `"${rest}-1"` });
  }],
];

const GUIDE = `# Edgehook demo guide

Written in **Markdown** on the origin, served as an HTML page by the \`markdown-to-html\` hook:
converted once when the page is stored, then every request is a hit.

- [A page that is not there](/docs/nowhere.md): its 404 stays Markdown
- Raw HTML stays text: <script>alert(1)</script>
`;
const DOCS: Record<string, string> = {
  'guide.md': GUIDE,
  'huge.md': `# Huge\n\n${'A long line of a long document that is never converted, being over the bound.\n'.repeat(1400)}`,
  'notes.txt': 'plain text, left alone\n',
};

export async function startDemoOrigin(listen: { host: string; port: number }): Promise<DemoOrigin> {
  const server = createServer((req, res) => route(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    server,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The demo's endpoints and what each shows (printed by `edgehook demo`). */
export function demoEndpoints(): ReadonlyArray<readonly [string, string]> {
  return ENDPOINTS.map(([prefix, doc]) => [prefix.endsWith('/') ? `${prefix}${EXAMPLE_NAMES[prefix] ?? 'hello.txt'}` : prefix, doc]);
}

function route(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0]!;
  for (const [prefix, , handler] of ENDPOINTS) {
    if (prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix) {
      handler(req, res, path.slice(prefix.length));
      return;
    }
  }
  if (path === '/') {
    send(res, 200, demoEndpoints().map(([p, doc]) => `${p}  ${doc}`).join('\n') + '\n', { 'cache-control': 'max-age=10' });
    return;
  }
  send(res, 404, 'not found\n', { 'cache-control': 'max-age=10' });
}

let photo: Promise<Buffer> | undefined;
/** A gradient photo stand-in, drawn once with sharp (already a dependency for transforms). */
function demoPhoto(): Promise<Buffer> {
  photo ??= import('sharp').then(({ default: sharp }) => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1067"><defs><linearGradient id="g">'
      + '<stop offset="0" stop-color="#1e6091"/><stop offset="1" stop-color="#f9c74f"/></linearGradient></defs>'
      + '<rect width="1600" height="1067" fill="url(#g)"/><circle cx="1100" cy="380" r="180" fill="#f8f9fa"/></svg>';
    return sharp(Buffer.from(svg)).jpeg({ quality: 82 }).toBuffer();
  });
  return photo;
}

function countBytes(req: IncomingMessage, res: ServerResponse): void {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => { bytes += chunk.length; });
  req.on('end', () => send(res, 200, JSON.stringify({ received: bytes }) + '\n', { 'content-type': 'application/json' }));
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), date: new Date().toUTCString(), ...headers });
  res.end(body);
}

function streamBytes(res: ServerResponse, total: number): void {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total, 'cache-control': 'max-age=300' });
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      const part = sent + chunk.length <= total ? chunk : chunk.subarray(0, total - sent);
      sent += part.length;
      if (!res.write(part)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}
