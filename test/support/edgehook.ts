/** Starts a real edgehook node on 127.0.0.1:0 in front of a test origin. */
import { resolveConfig } from '../../src/config/load.ts';
import type { EdgehookConfig } from '../../src/config/types.ts';
import { silentLogger, type Logger } from '../../src/log.ts';
import { startNode, type EdgehookNode, type StartOptions } from '../../src/node.ts';

/** Raw (snake_case, as in YAML) config merged over the test defaults. */
export type RawConfig = Record<string, unknown>;

export function testConfig(originUrl: string, raw: RawConfig = {}): EdgehookConfig {
  return resolveConfig({
    listen: '127.0.0.1:0',
    admin: '127.0.0.1:0',
    ...raw,
    origin: { url: originUrl, ...(raw.origin as object | undefined) },
  });
}

export async function startEdgehook(
  originUrl: string,
  raw: RawConfig = {},
  options: Omit<StartOptions, 'config'> & { logger?: Logger } = {},
): Promise<EdgehookNode> {
  return startNode({ logger: silentLogger, ...options, config: testConfig(originUrl, raw) });
}

export interface FetchedResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** fetch() that reads the whole body; undici under the hood, like a real client. */
export async function get(url: string, init: RequestInit = {}): Promise<FetchedResponse> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** A request whose headers go out exactly as given (fetch() adds its own cache headers). */
export async function send(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { request } = await import('undici');
  const response = await request(url, { method: (init.method ?? 'GET') as 'GET', headers: init.headers ?? {}, body: init.body ?? null });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

/** A clock tests move by hand, so freshness is tested without sleeping. */
export function manualClock(start = Date.now()): { now(): number; monotonic(): number; advance(seconds: number): void } {
  let current = start;
  return {
    now: () => current,
    monotonic: () => performance.now(),
    advance: (seconds) => {
      current += seconds * 1000;
    },
  };
}
