/**
 * proxy-wasm header and trailer maps over the hook runtime's HookCallState. Envoy's filters read
 * and write the request line and status as pseudo-headers (`:method`, `:path`, `:authority`,
 * `:scheme`, `:status`), so they are listed first and edits to them become set-method / set-path /
 * set-status; `:authority` and `:scheme` are read-only (the proxy owns routing). Request headers
 * are readable in every phase and editable in on-request; response headers exist in response
 * phases. edgehook carries no trailers: trailer maps read as empty and refuse edits.
 */
import type { EditError } from '../edit-validation.ts';
import type { HookCallState } from '../hook-call-state.ts';
import { MapType, Status } from './abi.ts';
import type { Pairs } from './header-pairs.ts';

type StatusCode = (typeof Status)[keyof typeof Status];

function editStatus(error: EditError | undefined): StatusCode {
  if (error === undefined) return Status.Ok;
  // Not editable now (request headers in a response phase): the map is not available for writing.
  return error === 'wrong-phase' || error === 'body-not-buffered' ? Status.NotFound : Status.BadArgument;
}

function pseudo(state: HookCallState, map: number): [string, string][] {
  if (map === MapType.RequestHeaders) {
    const query = state.query();
    return [[':method', state.method()], [':path', query === '' ? state.path() : `${state.path()}?${query}`],
      [':authority', state.request.authority], [':scheme', state.request.scheme]];
  }
  return [[':status', String(state.status())]];
}

/** The map's pairs, pseudo-headers first; undefined = unknown map (BAD_ARGUMENT) or absent here (NOT_FOUND). */
export function mapPairs(state: HookCallState, map: number): Pairs | StatusCode {
  if (map === MapType.RequestTrailers || map === MapType.ResponseTrailers) return [];
  if (map !== MapType.RequestHeaders && map !== MapType.ResponseHeaders) return map > 7 ? Status.BadArgument : Status.NotFound;
  const headers = map === MapType.RequestHeaders ? state.requestHeaders : state.responseHeaders;
  if (headers === null) return Status.NotFound;
  const pairs = pseudo(state, map);
  for (const name of headers.names()) for (const value of headers.getAll(name)) pairs.push([name, value]);
  return pairs;
}

export function mapValue(state: HookCallState, map: number, name: string): string | StatusCode {
  if (map === MapType.RequestTrailers || map === MapType.ResponseTrailers) return Status.NotFound;
  if (map !== MapType.RequestHeaders && map !== MapType.ResponseHeaders) return map > 7 ? Status.BadArgument : Status.NotFound;
  const headers = map === MapType.RequestHeaders ? state.requestHeaders : state.responseHeaders;
  if (headers === null) return Status.NotFound;
  const key = name.toLowerCase();
  // A lookup reads one field, not the whole map (a filter does several per call).
  const values = key.startsWith(':') ? pseudo(state, map).filter(([k]) => k === key).map(([, v]) => v) : headers.getAll(key);
  return values.length === 0 ? Status.NotFound : values.join(',');
}

/** The number of fields proxy_on_*_headers is told (pseudo-headers included), without listing them. */
export function mapCount(state: HookCallState, map: number): number {
  const headers = map === MapType.RequestHeaders ? state.requestHeaders : state.responseHeaders;
  if (headers === null) return 0;
  let count = map === MapType.RequestHeaders ? 4 : 1;
  for (const name of headers.names()) count += headers.getAll(name).length;
  return count;
}

function setPseudo(state: HookCallState, name: string, value: string): StatusCode {
  if (name === ':method') return editStatus(state.setMethod(value));
  if (name === ':status') return /^\d{3}$/.test(value) ? editStatus(state.setStatus(Number(value))) : Status.BadArgument;
  if (name === ':path') {
    const q = value.indexOf('?');
    const status = editStatus(state.setPath(q === -1 ? value : value.slice(0, q)));
    return status !== Status.Ok ? status : editStatus(state.setQuery(q === -1 ? '' : value.slice(q + 1)));
  }
  return Status.BadArgument; // :authority, :scheme and unknown pseudo-headers are not the filter's to change
}

/** add (append), replace (set) or remove one field. */
export function editMap(state: HookCallState, map: number, op: 'add' | 'replace' | 'remove', rawName: string, value = ''): StatusCode {
  if (map === MapType.RequestTrailers || map === MapType.ResponseTrailers) return op === 'remove' ? Status.Ok : Status.Unimplemented;
  if (map !== MapType.RequestHeaders && map !== MapType.ResponseHeaders) return map > 7 ? Status.BadArgument : Status.NotFound;
  const name = rawName.toLowerCase();
  if (name.startsWith(':')) {
    if (op === 'remove') return Status.BadArgument;
    const own = map === MapType.RequestHeaders ? name !== ':status' : name === ':status';
    return own ? setPseudo(state, name, value) : Status.BadArgument;
  }
  const which = map === MapType.RequestHeaders ? 'request' : 'response';
  return editStatus(state.headerEdit(which, op === 'add' ? 'append' : op === 'replace' ? 'set' : 'remove', name, value));
}

/** proxy_set_header_map_pairs: the map becomes `pairs`; only the fields that differ are edited. */
export function replaceMap(state: HookCallState, map: number, pairs: Pairs): StatusCode {
  const current = mapPairs(state, map);
  if (typeof current === 'number') return current;
  const group = (list: Pairs): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    for (const [k, v] of list) out.set(k.toLowerCase(), [...(out.get(k.toLowerCase()) ?? []), v]);
    return out;
  };
  const before = group(current);
  const after = group(pairs);
  for (const name of before.keys()) {
    if (!after.has(name) && !name.startsWith(':')) {
      const status = editMap(state, map, 'remove', name);
      if (status !== Status.Ok) return status;
    }
  }
  for (const [name, values] of after) {
    if (JSON.stringify(before.get(name)) === JSON.stringify(values)) continue;
    for (const [i, value] of values.entries()) {
      const status = editMap(state, map, i === 0 || name.startsWith(':') ? 'replace' : 'add', name, value);
      if (status !== Status.Ok) return status;
    }
  }
  return Status.Ok;
}
