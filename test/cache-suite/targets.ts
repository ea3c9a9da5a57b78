/**
 * The caches the suite can run against (`--impl`). `edgehook` is the real thing, started in this
 * process through its programmatic entry point; the others exist to compare with (nginx) or to
 * sanity-check the harness (`origin`: no cache at all, the floor any cache should beat).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startChildServer } from '../../bench/lib/child-server.ts';
import { nginxVersion, startNginx } from '../../bench/lib/nginx.ts';

export const IMPLS = ['edgehook', 'edgehook-cli', 'nginx', 'origin'] as const;
export type ImplName = (typeof IMPLS)[number];

export interface CacheUnderTest {
  readonly url: string;
  /** e.g. "nginx/1.22.1" — goes into the results file. */
  readonly version: string;
  close(): Promise<void>;
}

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
const NODE_ENTRY = join(REPO_ROOT, 'src', 'node.ts');
const CLI_ENTRY = join(REPO_ROOT, 'src', 'cli', 'main.ts');

export function isImpl(value: string): value is ImplName {
  return (IMPLS as readonly string[]).includes(value);
}

export function startImpl(impl: ImplName, originUrl: string): Promise<CacheUnderTest> {
  switch (impl) {
    case 'edgehook': return startEdgehookInProcess(originUrl);
    case 'edgehook-cli': return startEdgehookCli(originUrl);
    case 'nginx': return startNginxTarget(originUrl);
    case 'origin': return Promise.resolve({ url: originUrl, version: 'no cache', close: async () => {} });
  }
}

async function startEdgehookInProcess(originUrl: string): Promise<CacheUnderTest> {
  requireEntry(NODE_ENTRY);
  // Loaded lazily so comparison runs (--impl nginx) work even while src/ does not import cleanly.
  const { startNode } = await import('../../src/node.ts');
  const { configFromFlags } = await import('../../src/config/load.ts');
  const { silentLogger } = await import('../../src/log.ts');
  // The CLI's own flag path: defaults for everything, no admin API, no environment read.
  const config = configFromFlags({ origin: originUrl, listen: '127.0.0.1:0', admin: 'off' }, { env: {} });
  const node = await startNode({ config, logger: silentLogger });
  return { url: node.url, version: 'in-process startNode', close: () => node.close() };
}

async function startEdgehookCli(originUrl: string): Promise<CacheUnderTest> {
  requireEntry(CLI_ENTRY);
  const server = await startChildServer({
    command: process.execPath,
    args: [CLI_ENTRY, 'serve', '--origin', originUrl, '--listen', '127.0.0.1:0', '--admin', 'off'],
  });
  return { url: server.url, version: 'cli', close: () => server.close() };
}

async function startNginxTarget(originUrl: string): Promise<CacheUnderTest> {
  const version = nginxVersion();
  if (version === null) throw new Error('nginx is not installed (apt-get install nginx-light)');
  const server = await startNginx({ originUrl });
  return { url: server.url, version, close: () => server.close() };
}

function requireEntry(path: string): void {
  if (!existsSync(path)) throw new Error(`${path} does not exist yet — edgehook's entry point has not landed`);
}
