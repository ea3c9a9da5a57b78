/**
 * The http-cache-tests origin, bound to 127.0.0.1:0. The package's own `server/server.mjs` listens
 * on every interface at a fixed port (npm config, default 8000) and serves files from its cwd, so we
 * reuse its request handlers and do the listening ourselves. Prints the same `"msg":"listening"`
 * JSON line as edgehook's CLI so bench/lib/child-server.ts can start it.
 *
 * Run: node test/cache-suite/origin-server.ts [ENGINE_DIR]
 * ENGINE_DIR is the directory holding the suite's `server/` (suite-source.ts); default: the npm package.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { npmPackageSource } from './suite-source.ts';

type Handler = (pathSegs: string[], request: IncomingMessage, response: ServerResponse) => void;

const engineDir = process.argv[2] ?? npmPackageSource().engineDir;

async function loadHandler(name: string): Promise<Handler> {
  // Plain JS modules without types or an "exports" map: imported by path.
  const module = (await import(pathToFileURL(join(engineDir, 'server', `${name}.mjs`)).href)) as { default: Handler };
  return module.default;
}

const handlers: Record<string, Handler> = {
  config: await loadHandler('handle-config'),
  test: await loadHandler('handle-test'),
  state: await loadHandler('handle-state'),
};

function dispatch(request: IncomingMessage, response: ServerResponse): void {
  const segments = new URL(request.url ?? '/', 'http://origin.invalid').pathname.split('/').slice(1);
  const handler = handlers[segments[0] ?? ''];
  if (handler === undefined) {
    // The package would serve files from its cwd here; the suite never needs that.
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  handler(segments.slice(1), request, response);
}

// The handlers log "SERVER WARNING" lines with console.log; keep stdout for the listening line only.
console.log = (...args: unknown[]) => process.stderr.write(args.map(String).join(' ') + '\n');

const server = createServer(dispatch);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}` }) + '\n');
});
