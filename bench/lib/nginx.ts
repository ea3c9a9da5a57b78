/**
 * nginx as a caching reverse proxy in a temp dir, for comparison runs (cache suite `--impl nginx`,
 * bench reference target). nginx cannot listen on port 0, so we bind 127.0.0.1:0 here, hand the
 * listening socket to nginx as fd 3 and name it in `NGINX=3;` — nginx's own socket-inheritance
 * protocol (the one its binary upgrade uses). No port is ever reserved and re-bound.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { userInfo, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildServer, type ChildServer } from './child-server.ts';

export interface NginxOptions {
  originUrl: string;
  /** Reuse origin connections (bench); the cache suite keeps upstream's reference config. */
  upstreamKeepalive?: boolean;
  /** CPU list for `taskset`, or null to leave scheduling alone. */
  cpus?: string | null;
}

const READY_PATH = '/__edgehook_bench_ready';

/** e.g. "nginx/1.22.1", or null when nginx is not installed. nginx prints its version on stderr. */
export function nginxVersion(): string | null {
  const result = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return null;
  return /nginx\/\S+/.exec(result.stderr)?.[0] ?? 'nginx';
}

export async function startNginx(options: NginxOptions): Promise<ChildServer> {
  const dir = await mkdtemp(join(tmpdir(), 'edgehook-nginx-'));
  const socket = await listenLoopback();
  const port = (socket.address() as { port: number }).port;
  const configPath = join(dir, 'nginx.conf');
  await writeFile(configPath, renderNginxConfig({ ...options, dir, port }));
  const fd = listeningFd(socket);
  const base = ['nginx', '-p', dir, '-c', configPath, '-e', 'stderr'];
  const command = options.cpus ? ['taskset', '-c', options.cpus, ...base] : base;
  try {
    const server = await startChildServer({
      command: command[0]!, args: command.slice(1), extraFds: [fd], stopSignal: 'SIGQUIT',
      env: { ...process.env, NGINX: '3;' }, probe: { url: `http://127.0.0.1:${port}`, path: READY_PATH },
    });
    return { ...server, close: async () => { await server.close(); await rm(dir, { recursive: true, force: true }); } };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  } finally {
    // nginx holds its own copy of the socket now (or failed); ours only needs closing.
    socket.close();
  }
}

interface ConfigInput extends NginxOptions { dir: string; port: number }

/** Upstream's reference config (cache-tests docker/nginx) plus temp paths inside `dir`. */
export function renderNginxConfig(input: ConfigInput): string {
  const { dir, port } = input;
  const origin = new URL(input.originUrl);
  // Running as root, nginx would drop workers to `nobody`, who cannot enter our 0700 temp dir.
  const user = process.getuid?.() === 0 ? `user ${userInfo().username};` : '';
  // The upstream block exists only to pool origin connections; without it nginx opens one per miss.
  const upstream = input.upstreamKeepalive ? `upstream origin { server ${origin.host}; keepalive 64; }` : '';
  const passTo = input.upstreamKeepalive ? 'http://origin' : origin.origin;
  const keepaliveHeaders = input.upstreamKeepalive ? 'proxy_http_version 1.1; proxy_set_header Connection "";' : '';
  return `daemon off; master_process on; worker_processes 1; ${user}
pid ${dir}/nginx.pid; error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy-tmp;
  fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=edge:8m max_size=1000m inactive=600m;
  ${upstream}
  server {
    listen 127.0.0.1:${port};
    location = ${READY_PATH} { return 204; }
    location / {
      proxy_pass ${passTo};
      proxy_cache edge;
      proxy_cache_revalidate on;
      ${keepaliveHeaders}
    }
  }
}
`;
}

async function listenLoopback(): Promise<Server> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** The OS descriptor behind a listening net.Server; Node exposes it only on the internal handle. */
function listeningFd(server: Server): number {
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new Error('cannot read the listening socket fd (not a POSIX platform?)');
  return fd;
}
