/**
 * `proxy_get_property`: the properties a filter can read, by path. A path arrives as tokens
 * separated by NUL (what the Rust and C++ SDKs send for `["request", "path"]`) or by dots (what
 * the AssemblyScript SDK and hand-written filters send); both mean the same. Values are encoded
 * as Envoy encodes them: strings as their bytes, integers as 8-byte little-endian, floats as
 * 8-byte little-endian doubles, booleans as one byte. The list is in docs/proxy-wasm.md.
 *
 * Geo and image attributes cost the host work (geoip-lite's data, an image decode), so a route
 * provides them only when one of its hooks reads them: for a filter, when its module's bytes
 * contain the property name (see `propertyReads`).
 */
import type { HookCallState } from '../hook-call-state.ts';

export interface PluginIdentity {
  readonly name: string;
  readonly rootId: string;
  readonly vmId: string;
}

const text = (value: string): Buffer => Buffer.from(value, 'utf8');
const int = (value: number): Buffer => {
  const out = Buffer.alloc(8);
  out.writeBigInt64LE(BigInt(Math.trunc(value)));
  return out;
};
const float = (value: number): Buffer => {
  const out = Buffer.alloc(8);
  out.writeDoubleLE(value);
  return out;
};
const bool = (value: boolean): Buffer => Buffer.of(value ? 1 : 0);

type Value = string | number | boolean | undefined;

function encode(value: Value, floating = false): Buffer | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return text(value);
  if (typeof value === 'boolean') return bool(value);
  return floating ? float(value) : int(value);
}

/** Normalises a path the filter sent (NUL- or dot-separated) to the dotted form. */
export function propertyPath(raw: string): string {
  return raw.replace(/\0+$/, '').replaceAll('\0', '.');
}

function header(state: HookCallState, which: 'request' | 'response', name: string): Buffer | undefined {
  const headers = which === 'request' ? state.requestHeaders : state.responseHeaders;
  const values = headers?.getAll(name.toLowerCase());
  return values === undefined || values.length === 0 ? undefined : Buffer.from(values.join(','), 'latin1');
}

function requestProperty(state: HookCallState, key: string): Buffer | undefined {
  if (key.startsWith('headers.')) return header(state, 'request', key.slice('headers.'.length));
  const query = state.query();
  switch (key) {
    case 'path': return text(query === '' ? state.path() : `${state.path()}?${query}`);
    case 'url_path': return text(state.path());
    case 'query': return text(query);
    case 'method': return text(state.method());
    case 'host': return text(state.request.authority);
    case 'scheme': return text(state.request.scheme);
    default: return undefined;
  }
}

function responseProperty(state: HookCallState, key: string): Buffer | undefined {
  if (state.response === null) return undefined;
  if (key.startsWith('headers.')) return header(state, 'response', key.slice('headers.'.length));
  if (key === 'code') return int(state.status());
  return undefined;
}

const GEO_FLOATS = new Set(['latitude', 'longitude']);
const GEO_KEYS: Readonly<Record<string, string>> = {
  country: 'country', region: 'region', city: 'city', latitude: 'latitude', longitude: 'longitude',
  timezone: 'timezone', eu: 'eu', metro: 'metro', accuracy_radius: 'accuracyRadius',
};
const IMAGE_KEYS: Readonly<Record<string, string>> = {
  format: 'format', width: 'width', height: 'height', orientation: 'orientation', has_alpha: 'hasAlpha',
  bytes: 'bytes', pages: 'pages',
};

function edgehookProperty(state: HookCallState, key: string): Buffer | undefined {
  if (key === 'phase') return text(state.phase);
  if (key === 'response.source') return state.response === null ? undefined : text(state.response.source);
  if (key.startsWith('geo.')) {
    const field = GEO_KEYS[key.slice(4)];
    const geo = field === undefined ? undefined : state.request.attributes.geo() as Record<string, Value> | undefined;
    return field === undefined || geo === undefined ? undefined : encode(geo[field], GEO_FLOATS.has(field));
  }
  if (key.startsWith('image.')) {
    const field = IMAGE_KEYS[key.slice(6)];
    const image = field === undefined || state.response === null ? undefined : state.request.attributes.image() as Record<string, Value> | undefined;
    return field === undefined || image === undefined ? undefined : encode(image[field]);
  }
  return undefined;
}

/** The property's encoded value, or undefined (NOT_FOUND). */
export function readProperty(path: string, state: HookCallState, plugin: PluginIdentity): Buffer | undefined {
  const dot = path.indexOf('.');
  const head = dot === -1 ? path : path.slice(0, dot);
  const rest = dot === -1 ? '' : path.slice(dot + 1);
  switch (head) {
    case 'plugin_name': return rest === '' ? text(plugin.name) : undefined;
    case 'plugin_root_id': return rest === '' ? text(plugin.rootId) : undefined;
    case 'plugin_vm_id': return rest === '' ? text(plugin.vmId) : undefined;
    case 'source': return rest === 'address' ? text(state.request.attributes.clientIp) : undefined;
    case 'request': return requestProperty(state, rest);
    case 'response': return responseProperty(state, rest);
    case 'edgehook': return edgehookProperty(state, rest);
    default: return undefined;
  }
}

/** Properties of plugin identity, readable outside a stream (proxy_on_vm_start, proxy_on_configure). */
export function readPluginProperty(path: string, plugin: PluginIdentity): Buffer | undefined {
  if (path === 'plugin_name') return text(plugin.name);
  if (path === 'plugin_root_id') return text(plugin.rootId);
  if (path === 'plugin_vm_id') return text(plugin.vmId);
  return undefined;
}

function contains(bytes: Uint8Array, needle: string): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buffer.includes(Buffer.from(needle, 'utf8')) || buffer.includes(Buffer.from(needle, 'utf16le'));
}

/**
 * Whether a filter can read geo / image attributes: its module imports proxy_get_property and its
 * bytes hold "edgehook.geo" / "edgehook.image" (or the NUL-separated form) in UTF-8 or UTF-16 (an
 * AssemblyScript literal). A filter that builds the name at run time is not detected and reads
 * NOT_FOUND; docs/proxy-wasm.md says so. Reported as the WIT imports that mean the same.
 */
export function propertyReads(bytes: Uint8Array, importsGetProperty: boolean): Set<string> {
  const reads = new Set<string>();
  if (!importsGetProperty) return reads;
  if (contains(bytes, 'edgehook.geo') || contains(bytes, 'edgehook\0geo')) reads.add('request/geo');
  if (contains(bytes, 'edgehook.image') || contains(bytes, 'edgehook\0image')) reads.add('response/image');
  return reads;
}
