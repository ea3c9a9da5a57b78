/**
 * The host imports in the shape jco's transpiled glue expects: camelCase functions per interface,
 * WIT option as undefined, result errors thrown as `{ payload }`, enums as strings. Same
 * HookCallState as the direct binding, so both guest kinds behave identically.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { transformSpec, type TransformRecord } from './attribute-records.ts';
import type { EditError } from './edit-validation.ts';
import { HookFailure } from './hook-failure.ts';
import type { HookCallSettings, HookCallState, LogLevelName } from './hook-call-state.ts';

export interface TranspiledSlot {
  state: HookCallState | null;
  readonly settings: HookCallSettings;
  readonly monotonicNs: () => bigint;
  readonly wallMs: () => number;
}

type HostFn = (...args: never[]) => unknown;
export type TranspiledImports = Record<string, Record<string, HostFn>>;

function stateOf(slot: TranspiledSlot): HookCallState {
  if (slot.state === null) throw new HookFailure('EH_HOOK_TRAP', 'host call outside a hook call');
  return slot.state;
}

/** result<_, edit-error>: return for ok, throw `{ payload }` for err (jco's convention). */
function result(error: EditError | undefined): void {
  if (error !== undefined) throw { payload: error };
}

function headerImports(slot: TranspiledSlot, which: 'request' | 'response'): Record<string, HostFn> {
  const headers = () => {
    const state = stateOf(slot);
    return which === 'request' ? state.requestHeaders : state.responseHeaders;
  };
  return {
    getHeader: (name: string) => headers()?.get(name),
    getHeaderAll: (name: string) => [...(headers()?.getAll(name) ?? [])],
    headerNames: () => headers()?.names() ?? [],
    setHeader: (name: string, value: string) => result(stateOf(slot).headerEdit(which, 'set', name, value)),
    appendHeader: (name: string, value: string) => result(stateOf(slot).headerEdit(which, 'append', name, value)),
    removeHeader: (name: string) => result(stateOf(slot).headerEdit(which, 'remove', name)),
  };
}

export function createTranspiledImports(slot: TranspiledSlot): TranspiledImports {
  const s = () => stateOf(slot);
  return {
    'edgehook:hooks/request': {
      method: () => s().method(), path: () => s().path(), query: () => s().query(),
      authority: () => s().request.authority, scheme: () => s().request.scheme,
      clientIp: () => s().request.attributes.clientIp,
      geo: () => s().geo(),
      ...headerImports(slot, 'request'),
      setMethod: (v: string) => result(s().setMethod(v)),
      setPath: (v: string) => result(s().setPath(v)),
      setQuery: (v: string) => result(s().setQuery(v)),
      addCacheKeyPart: (v: string) => result(s().addCacheKeyPart(v)),
      body: () => s().requestBody(),
      setBody: (b: Uint8Array) => result(s().setRequestBody(b)),
      setTransform: (spec: TransformRecord) => result(s().setTransform('request', transformSpec(spec))),
    },
    'edgehook:hooks/response': {
      status: () => s().status(),
      setStatus: (v: number) => result(s().setStatus(v)),
      source: () => s().response?.source ?? 'miss',
      image: () => s().image(),
      ...headerImports(slot, 'response'),
      body: () => s().responseBody(),
      setBody: (b: Uint8Array) => result(s().setResponseBody(b)),
      setTransform: (spec: TransformRecord) => result(s().setTransform('response', transformSpec(spec))),
    },
    'edgehook:hooks/cache': {
      setTtl: (v: number) => result(s().setTtl(v)),
      setCacheable: (v: boolean) => result(s().setCacheable(v)),
      addTag: (v: string) => result(s().addTag(v)),
    },
    'edgehook:hooks/log': {
      log: (level: LogLevelName, message: string, fields: [string, string][]) => s().log(level, message, fields),
    },
    'edgehook:hooks/clock': { monotonicNow: () => slot.monotonicNs(), wallNow: () => BigInt(Math.floor(slot.wallMs())) },
    'edgehook:hooks/config': { get: () => slot.settings.config },
    'edgehook:hooks/crypto': {
      hmacSha256: (key: Uint8Array, data: Uint8Array) => new Uint8Array(createHmac('sha256', key).update(data).digest()),
      sha256: (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest()),
      constantTimeEqual: (a: Uint8Array, b: Uint8Array) => a.length === b.length && timingSafeEqual(a, b),
    },
  };
}
