/** Request/response states as the pipeline would hand them to a hook chain. */
import { HeaderMap } from '../../../src/http/header-map.ts';
import type { HookRequestState, HookResponseState, ImageAttributes, ResponseSource } from '../../../src/pipeline/hook-seam.ts';

export interface RequestInit {
  method?: string; path?: string; query?: string; authority?: string; clientIp?: string;
  headers?: [string, string][]; body?: Buffer | null; geo?: Record<string, unknown>; image?: ImageAttributes;
}

export function makeRequest(init: RequestInit = {}): HookRequestState {
  return {
    method: init.method ?? 'GET', path: init.path ?? '/', query: init.query ?? '',
    authority: init.authority ?? 'example.com', scheme: 'https',
    headers: HeaderMap.fromPairs(init.headers ?? []), cacheKeyParts: [],
    attributes: { clientIp: init.clientIp ?? '203.0.113.7', geo: () => init.geo, image: () => init.image },
    body: init.body ?? null,
  };
}

export function makeResponse(init: { status?: number; headers?: [string, string][]; body?: Buffer | null; source?: ResponseSource } = {}): HookResponseState {
  return {
    status: init.status ?? 200, headers: HeaderMap.fromPairs(init.headers ?? []), body: init.body ?? null,
    source: init.source ?? 'miss', tags: [],
  };
}
