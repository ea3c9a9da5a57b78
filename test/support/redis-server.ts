/**
 * A real redis-server (the Debian package .ci/run installs) for fleet tests, on 127.0.0.1 at a port
 * picked at random and retried when taken (redis cannot listen on port 0 and report the port).
 * No snapshots and no AOF unless `persist` is set: then an append-only file in its directory keeps
 * the stream across a restart, as a production Redis would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGTERM: an AOF is flushed first). */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisOptions {
  /** An append-only file, so the data survives a restart. */
  readonly persist?: boolean;
  /** Make it a replica of this port's server. */
  readonly replicaOf?: number;
  /** Run a sentinel monitoring the master on this port as "fleetmaster" (quorum 1, down after 1 s). */
  readonly sentinelFor?: number;
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'edgehook-redis-'));
  let child: ChildProcess | null = null;
  let port = 0;
  const launch = async (): Promise<void> => {
    child = await spawnRedis(dir, port, options);
  };
  for (let attempt = 0; ; attempt++) {
    port = 20_000 + Math.floor(Math.random() * 40_000);
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= 10 || !/in use/i.test((error as Error).message)) throw error;
    }
  }
  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null) return;
    await new Promise((resolve) => {
      running.once('exit', resolve);
      running.kill('SIGTERM');
    });
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    get port() {
      return port;
    },
    stop,
    start: launch,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function spawnRedis(dir: string, port: number, options: RedisOptions): Promise<ChildProcess> {
  const common = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--loglevel', 'notice'];
  let args = [...common, '--save', '', '--appendonly', options.persist === true ? 'yes' : 'no',
    ...(options.replicaOf === undefined ? [] : ['--replicaof', '127.0.0.1', String(options.replicaOf)])];
  if (options.sentinelFor !== undefined) {
    // A sentinel rewrites its config file, so it gets one of its own.
    const file = join(dir, 'sentinel.conf');
    writeFileSync(file, [
      `sentinel monitor fleetmaster 127.0.0.1 ${options.sentinelFor} 1`,
      'sentinel down-after-milliseconds fleetmaster 1000',
      'sentinel failover-timeout fleetmaster 3000',
    ].join('\n') + '\n');
    args = [file, '--sentinel', ...common];
  }
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/Ready to accept connections|\+monitor master/.test(output)) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.resume();
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output.slice(-400)}`)));
  });
}
