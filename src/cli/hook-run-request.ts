/** Builds the request/response a local `edgehook hook run` feeds to a hook, from flags or JSON. */
import { readFile } from 'node:fs/promises';
import { HeaderMap } from '../http/header-map.ts';
import type { GeoAttributes, HookRequestState, HookResponseState, RequestAttributes, ResponseSource } from '../pipeline/hook-seam.ts';

export interface RunRequestSpec {
  method: string;
  url: string;
  headers: [string, string][];
  clientIp: string;
  body?: string;
  geo?: Record<string, unknown>;
  response?: { status: number; headers: [string, string][]; body?: string; source?: ResponseSource };
}

function parseHeader(flag: string): [string, string] {
  const colon = flag.indexOf(':');
  if (colon <= 0) throw new Error(`-H ${JSON.stringify(flag)}: expected "name: value"`);
  return [flag.slice(0, colon).trim(), flag.slice(colon + 1).trim()];
}

/** The spec from --request's JSON file with the flags layered over it (flag names without dashes). */
export async function readRunSpec(flags: ReadonlyMap<string, string[]>): Promise<RunRequestSpec> {
  const one = (name: string): string | undefined => flags.get(name)?.at(-1);
  const file = one('request');
  const base: Partial<RunRequestSpec> = file === undefined ? {} : JSON.parse(await readFile(file, 'utf8')) as Partial<RunRequestSpec>;
  const status = one('status');
  const responseHeaders = (flags.get('response-header') ?? []).map(parseHeader);
  const responseBody = one('response-body');
  const response = status !== undefined || responseHeaders.length > 0 || responseBody !== undefined
    ? { status: Number(status ?? 200), headers: responseHeaders, ...(responseBody === undefined ? {} : { body: responseBody }) }
    : base.response;
  const body = one('body') ?? base.body;
  return {
    method: one('method') ?? base.method ?? 'GET',
    url: one('url') ?? base.url ?? 'http://localhost/',
    headers: [...(base.headers ?? []), ...(flags.get('header') ?? []).map(parseHeader)],
    clientIp: one('client-ip') ?? base.clientIp ?? '127.0.0.1',
    ...(body === undefined ? {} : { body }),
    ...(base.geo === undefined ? {} : { geo: base.geo }),
    ...(response === undefined ? {} : { response }),
  };
}

/** `attributes`: geo and image as looked up by the caller (hook-run.ts); spec.geo wins. */
export function toRequestState(spec: RunRequestSpec, attributes: Pick<RequestAttributes, 'geo' | 'image'>): HookRequestState {
  const url = new URL(spec.url);
  const geo = spec.geo === undefined ? attributes.geo : () => spec.geo as GeoAttributes;
  return {
    method: spec.method.toUpperCase(), path: url.pathname, query: url.search.slice(1), authority: url.host,
    scheme: url.protocol === 'https:' ? 'https' : 'http', headers: HeaderMap.fromPairs(spec.headers), cacheKeyParts: [],
    attributes: { clientIp: spec.clientIp, geo, image: attributes.image },
    body: spec.body === undefined ? null : Buffer.from(spec.body),
  };
}

export function toResponseState(spec: RunRequestSpec): HookResponseState {
  const r = spec.response ?? { status: 200, headers: [] };
  return {
    status: r.status, headers: HeaderMap.fromPairs(r.headers), body: r.body === undefined ? null : Buffer.from(r.body),
    source: r.source ?? 'miss', tags: [],
  };
}
