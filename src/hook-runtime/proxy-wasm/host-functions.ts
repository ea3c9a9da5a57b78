/**
 * The `env` imports of a proxy-wasm filter: the ABI v0.2.1 host functions an HTTP filter needs,
 * each answering the spec's status codes (logging, clock, header and trailer maps, buffers, local
 * responses, properties, continue). Shared data and metrics are in state-functions.ts; what a
 * caching node cannot offer answers UNIMPLEMENTED (abi.ts). Every function is wrapped so a pointer
 * outside memory answers INVALID_MEMORY_ACCESS; anything else it throws fails the call.
 */
import { BUFFER_TYPE_MAX, BufferType, LOG_LEVELS, PROXY_LOG_LEVEL, ROOT_CONTEXT_ID, Status, StreamType, UNIMPLEMENTED_FUNCTIONS } from './abi.ts';
import { bodyFor, type FilterSlot } from './filter-call.ts';
import { editMap, mapPairs, mapValue, replaceMap } from './header-maps.ts';
import { parsePairs, serializePairs } from './header-pairs.ts';
import { propertyPath, readPluginProperty, readProperty } from './properties.ts';
import { filterLog, guarded, isLogged, memoryOf } from './host-guards.ts';
import { createStateFunctions } from './state-functions.ts';

type HostFunction = (...args: never[]) => number;

function buffer(slot: FilterSlot, type: number): Uint8Array | undefined {
  if (type === BufferType.VmConfiguration) return slot.vmConfig;
  if (type === BufferType.PluginConfiguration) return slot.pluginConfig;
  const state = slot.call?.state;
  if (state === undefined) return undefined;
  if (type === BufferType.RequestBody) return bodyFor(state, true);
  if (type === BufferType.ResponseBody) return bodyFor(state, false);
  return undefined;
}

function setBuffer(slot: FilterSlot, type: number, start: number, size: number, value: Buffer): number {
  const state = slot.call?.state;
  if (type > BUFFER_TYPE_MAX) return Status.BadArgument;
  const current = buffer(slot, type);
  if (state === undefined || current === undefined) return Status.NotFound;
  if (type !== BufferType.RequestBody && type !== BufferType.ResponseBody) return Status.BadArgument; // configurations are read-only
  const from = Math.min(start, current.length);
  const next = Buffer.concat([current.subarray(0, from), value, current.subarray(Math.min(current.length, from + size))]);
  const error = type === BufferType.RequestBody ? state.setRequestBody(next) : state.setResponseBody(next);
  return error === undefined ? Status.Ok : error === 'too-large' ? Status.BadArgument : Status.NotFound;
}

function headerMapFunctions(slot: FilterSlot): Record<string, HostFunction> {
  const mem = () => memoryOf(slot);
  const state = () => slot.call?.state;
  return {
    proxy_get_header_map_pairs: guarded((map: number, rData: number, rSize: number) => {
      const s = state();
      const pairs = s === undefined ? Status.NotFound : mapPairs(s, map);
      if (typeof pairs === 'number') return pairs;
      mem().give(serializePairs(pairs), rData, rSize);
      return Status.Ok;
    }),
    proxy_get_header_map_size: guarded((map: number, rSize: number) => {
      const s = state();
      const pairs = s === undefined ? Status.NotFound : mapPairs(s, map);
      if (typeof pairs === 'number') return pairs;
      mem().setU32(rSize, serializePairs(pairs).length);
      return Status.Ok;
    }),
    proxy_get_header_map_value: guarded((map: number, kData: number, kSize: number, rData: number, rSize: number) => {
      const s = state();
      const value = s === undefined ? Status.NotFound : mapValue(s, map, mem().latin1(kData, kSize));
      if (typeof value === 'number') return value;
      mem().give(Buffer.from(value, 'latin1'), rData, rSize);
      return Status.Ok;
    }),
    proxy_set_header_map_pairs: guarded((map: number, data: number, size: number) => {
      const s = state();
      return s === undefined ? Status.NotFound : replaceMap(s, map, parsePairs(mem().bytes(data, size)));
    }),
    proxy_add_header_map_value: guarded((map: number, k: number, kl: number, v: number, vl: number) => {
      const s = state();
      return s === undefined ? Status.NotFound : editMap(s, map, 'add', mem().latin1(k, kl), mem().latin1(v, vl));
    }),
    proxy_replace_header_map_value: guarded((map: number, k: number, kl: number, v: number, vl: number) => {
      const s = state();
      return s === undefined ? Status.NotFound : editMap(s, map, 'replace', mem().latin1(k, kl), mem().latin1(v, vl));
    }),
    proxy_remove_header_map_value: guarded((map: number, k: number, kl: number) => {
      const s = state();
      return s === undefined ? Status.NotFound : editMap(s, map, 'remove', mem().latin1(k, kl));
    }),
  };
}

function bufferFunctions(slot: FilterSlot): Record<string, HostFunction> {
  const mem = () => memoryOf(slot);
  return {
    proxy_get_buffer_status: guarded((type: number, rSize: number, rFlags: number) => {
      if (type > BUFFER_TYPE_MAX) return Status.BadArgument;
      const value = buffer(slot, type);
      if (value === undefined) return Status.NotFound;
      mem().setU32(rSize, value.length);
      mem().setU32(rFlags, 0);
      return Status.Ok;
    }),
    proxy_get_buffer_bytes: guarded((type: number, start: number, max: number, rData: number, rSize: number) => {
      if (type > BUFFER_TYPE_MAX) return Status.BadArgument;
      const value = buffer(slot, type);
      if (value === undefined) return Status.NotFound;
      if (start >>> 0 > value.length) return Status.BadArgument;
      mem().give(value.subarray(start >>> 0, Math.min(value.length, (start >>> 0) + (max >>> 0))), rData, rSize);
      return Status.Ok;
    }),
    proxy_set_buffer_bytes: guarded((type: number, start: number, size: number, data: number, dataSize: number) =>
      setBuffer(slot, type, start >>> 0, size >>> 0, mem().bytes(data, dataSize))),
  };
}

function streamFunctions(slot: FilterSlot): Record<string, HostFunction> {
  const mem = () => memoryOf(slot);
  const state = () => slot.call?.state;
  return {
    proxy_send_local_response: guarded((status: number, _d: number, _dl: number, body: number, bodySize: number, h: number, hl: number) => {
      const call = slot.call;
      if (call === null) return Status.NotFound;
      const headers = parsePairs(mem().bytes(h, hl));
      call.localReply = { status: status >>> 0, headers, body: mem().bytes(body, bodySize) };
      return Status.Ok;
    }),
    proxy_continue_stream: (type: number) => {
      if (type > StreamType.Upstream) return Status.BadArgument;
      if (type !== StreamType.Request && type !== StreamType.Response) return Status.Unimplemented;
      if (slot.call === null) return Status.NotFound;
      slot.call.resume();
      return Status.Ok;
    },
    proxy_get_property: guarded((p: number, pl: number, rData: number, rSize: number) => {
      const path = propertyPath(mem().utf8(p, pl));
      const s = state();
      const value = s === undefined ? readPluginProperty(path, slot.plugin) : readProperty(path, s, slot.plugin);
      if (value === undefined) return Status.NotFound;
      mem().give(value, rData, rSize);
      return Status.Ok;
    }),
  };
}

export function createHostFunctions(slot: FilterSlot): Record<string, HostFunction> {
  const mem = () => memoryOf(slot);
  const functions: Record<string, HostFunction> = {
    proxy_log: guarded((level: number, data: number, size: number) => {
      if (level < 0 || level >= LOG_LEVELS.length) return Status.BadArgument;
      if (isLogged(slot, level)) filterLog(slot, level, mem().utf8(data, size));
      return Status.Ok;
    }),
    proxy_get_log_level: guarded((ret: number) => {
      mem().setU32(ret, PROXY_LOG_LEVEL[slot.settings.logger.level ?? 'info']);
      return Status.Ok;
    }),
    proxy_get_current_time_nanoseconds: guarded((ret: number) => {
      mem().setU64(ret, BigInt(Math.round(slot.clock.now())) * 1_000_000n);
      return Status.Ok;
    }),
    // Every context is finalised by the host when its phase call ends: none is ever pending.
    proxy_done: () => Status.NotFound,
    proxy_set_effective_context: (id: number) =>
      id === ROOT_CONTEXT_ID || id === slot.call?.contextId ? Status.Ok : Status.BadArgument,
    ...headerMapFunctions(slot),
    ...bufferFunctions(slot),
    ...streamFunctions(slot),
    ...createStateFunctions(slot),
  };
  for (const name of UNIMPLEMENTED_FUNCTIONS) functions[name] = () => Status.Unimplemented;
  return functions;
}
