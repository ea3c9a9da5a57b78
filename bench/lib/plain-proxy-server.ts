/**
 * Plain Node proxies without a cache, as anchors for the pass-through cells of `npm run bench`:
 * what any Node reverse proxy pays for a second HTTP exchange, before features.
 *
 *   http-proxy-3   the http-proxy-3 package, as commonly deployed (keep-alive agent to the origin)
 *   undici         Node's server + one undici Pool via dispatch(), chunks written straight into the
 *                  response: about the least a Node proxy can do per request
 *
 * Run: node bench/lib/plain-proxy-server.ts http-proxy-3|undici ORIGIN_URL (prints the listening line)
 */
import { Agent, createServer, type IncomingHttpHeaders } from 'node:http';
import { createProxyServer } from 'http-proxy-3';
import { Pool } from 'undici';
import { profileOnSignal } from './profile-on-signal.ts';

const [kind, originUrl] = process.argv.slice(2);
if (originUrl === undefined || (kind !== 'http-proxy-3' && kind !== 'undici')) {
  throw new Error('usage: plain-proxy-server.ts http-proxy-3|undici ORIGIN_URL');
}

function flat(headers: IncomingHttpHeaders): string[] {
  const out: string[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || name === 'connection' || name === 'keep-alive' || name === 'transfer-encoding') continue;
    if (Array.isArray(value)) for (const item of value) out.push(name, item);
    else out.push(name, value);
  }
  return out;
}

function undiciProxy(): ReturnType<typeof createServer> {
  const pool = new Pool(originUrl!, { connections: 128 });
  return createServer((req, res) => {
    pool.dispatch({ method: req.method as 'GET', path: req.url!, headers: flat(req.headers), body: req.method === 'GET' || req.method === 'HEAD' ? null : req }, {
      onRequestStart() {},
      onResponseStart(_controller, status, headers) {
        if (status >= 200) res.writeHead(status, flat(headers));
      },
      onResponseData(controller, chunk) {
        if (!res.write(chunk)) {
          controller.pause();
          res.once('drain', () => controller.resume());
        }
      },
      onResponseEnd: () => res.end(),
      onResponseError() {
        if (res.headersSent) res.destroy();
        else res.writeHead(502).end();
      },
    });
  });
}

function httpProxy3(): ReturnType<typeof createServer> {
  const proxy = createProxyServer({ target: originUrl, agent: new Agent({ keepAlive: true, maxSockets: 128 }) });
  proxy.on('error', (_error, _req, res) => {
    if ('writeHead' in res && !res.headersSent) res.writeHead(502).end();
  });
  return createServer((req, res) => proxy.web(req, res));
}

const server = kind === 'undici' ? undiciProxy() : httpProxy3();
profileOnSignal();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}` }) + '\n');
});
