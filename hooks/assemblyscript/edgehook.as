// edgehook hook SDK for AssemblyScript (contract edgehook:hooks@0.1.0, see wit/README.md).
//
// The `.as` extension keeps this file out of the project's TypeScript check; `edgehook hook build`
// stages it as `edgehook.ts` next to your entry, so hooks `import ... from "./edgehook"`.
// Strings cross the boundary as UTF-16 (the component is embedded with string-encoding=utf16), so
// AssemblyScript strings are passed without re-encoding.

// ---- host imports (canonical ABI, lowered) --------------------------------------------------
@external("edgehook:hooks/request@0.1.0", "method") declare function _rq_method(ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "path") declare function _rq_path(ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "query") declare function _rq_query(ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "authority") declare function _rq_authority(ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "scheme") declare function _rq_scheme(ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "client-ip") declare function _rq_client_ip(ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "geo") declare function _rq_geo(ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "get-header") declare function _rq_get(p: usize, l: i32, ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "get-header-all") declare function _rq_get_all(p: usize, l: i32, ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "header-names") declare function _rq_names(ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "set-header") declare function _rq_set(np: usize, nl: i32, vp: usize, vl: i32, ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "append-header") declare function _rq_append(np: usize, nl: i32, vp: usize, vl: i32, ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "remove-header") declare function _rq_remove(np: usize, nl: i32, ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "set-method") declare function _rq_set_method(p: usize, l: i32, ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "set-path") declare function _rq_set_path(p: usize, l: i32, ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "set-query") declare function _rq_set_query(p: usize, l: i32, ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "add-cache-key-part") declare function _rq_key_part(p: usize, l: i32, ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "body") declare function _rq_body(ret: usize): void;
@external("edgehook:hooks/request@0.1.0", "set-body") declare function _rq_set_body(p: usize, l: i32, ret: usize): void;
// transform-spec flattened: (some?, value) per option field, without-enlargement as i32, then the return area.
@external("edgehook:hooks/request@0.1.0", "set-transform") declare function _rq_set_transform(wd: i32, w: u32, hd: i32, h: u32, fd: i32, f: i32, noup: i32, fmd: i32, fm: i32, qd: i32, q: i32, ret: usize): void;

@external("edgehook:hooks/response@0.1.0", "status") declare function _rs_status(): i32;
@external("edgehook:hooks/response@0.1.0", "set-status") declare function _rs_set_status(s: i32, ret: usize): void;
@external("edgehook:hooks/response@0.1.0", "source") declare function _rs_source(): i32;
@external("edgehook:hooks/response@0.1.0", "image") declare function _rs_image(ret: usize): void;
@external("edgehook:hooks/response@0.1.0", "get-header") declare function _rs_get(p: usize, l: i32, ret: usize): void;
@external("edgehook:hooks/response@0.1.0", "get-header-all") declare function _rs_get_all(p: usize, l: i32, ret: usize): void;
@external("edgehook:hooks/response@0.1.0", "header-names") declare function _rs_names(ret: usize): void;
@external("edgehook:hooks/response@0.1.0", "set-header") declare function _rs_set(np: usize, nl: i32, vp: usize, vl: i32, ret: usize): void;
@external("edgehook:hooks/response@0.1.0", "append-header") declare function _rs_append(np: usize, nl: i32, vp: usize, vl: i32, ret: usize): void;
@external("edgehook:hooks/response@0.1.0", "remove-header") declare function _rs_remove(np: usize, nl: i32, ret: usize): void;
@external("edgehook:hooks/response@0.1.0", "body") declare function _rs_body(ret: usize): void;
@external("edgehook:hooks/response@0.1.0", "set-body") declare function _rs_set_body(p: usize, l: i32, ret: usize): void;
@external("edgehook:hooks/response@0.1.0", "set-transform") declare function _rs_set_transform(wd: i32, w: u32, hd: i32, h: u32, fd: i32, f: i32, noup: i32, fmd: i32, fm: i32, qd: i32, q: i32, ret: usize): void;

@external("edgehook:hooks/cache@0.1.0", "set-ttl") declare function _c_ttl(s: u32, ret: usize): void;
@external("edgehook:hooks/cache@0.1.0", "set-cacheable") declare function _c_cacheable(b: i32, ret: usize): void;
@external("edgehook:hooks/cache@0.1.0", "add-tag") declare function _c_tag(p: usize, l: i32, ret: usize): void;

@external("edgehook:hooks/log@0.1.0", "log") declare function _log(level: i32, mp: usize, ml: i32, fp: usize, fl: i32): void;
@external("edgehook:hooks/clock@0.1.0", "monotonic-now") declare function _clock_now(): u64;
@external("edgehook:hooks/clock@0.1.0", "wall-now") declare function _clock_wall(): u64;
@external("edgehook:hooks/config@0.1.0", "get") declare function _config_get(ret: usize): void;

@external("edgehook:hooks/crypto@0.1.0", "hmac-sha256") declare function _hmac(kp: usize, kl: i32, dp: usize, dl: i32, ret: usize): void;
@external("edgehook:hooks/crypto@0.1.0", "sha256") declare function _sha256(dp: usize, dl: i32, ret: usize): void;
@external("edgehook:hooks/crypto@0.1.0", "constant-time-equal") declare function _cteq(ap: usize, al: i32, bp: usize, bl: i32): i32;

// One return area for host calls (largest: option<geo-attributes>, 112 bytes, align 8).
const RET: usize = memory.data(112, 8);

// ---- allocation the host uses to hand us strings and lists ----------------------------------
export function cabi_realloc(old: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (old == 0) return heap.alloc(newSize);
  return heap.realloc(old, newSize);
}

// ---- public types -----------------------------------------------------------------------------
export enum EditError { Ok = -1, ForbiddenName = 0, InvalidValue = 1, TooLarge = 2, WrongPhase = 3, BodyNotBuffered = 4 }
export enum LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 }
export enum ResponseSource { Hit = 0, Stale = 1, Revalidated = 2, Miss = 3, Pass = 4, Local = 5, Error = 6 }

export class Verdict {
  constructor(
    public tag: i32,
    public status: u16 = 0,
    public headers: string[] = [],
    public body: ArrayBuffer = new ArrayBuffer(0),
  ) {}
}

/** Go on with the next hook. */
export function proceed(): Verdict { return new Verdict(0); }

/** Answer with a local response. `headers` is a flat [name, value, name, value, ...] list. */
export function respond(status: u16, headers: string[], body: string): Verdict {
  return new Verdict(1, status, headers, String.UTF8.encode(body));
}

/** Where the client is (wit/README.md, "Geo fields"). Absent values: null, NaN or -1. There is no ASN. */
export class GeoAttributes {
  /** ISO 3166-1 alpha-2 ("GB"). */
  country: string | null = null;
  /** Subdivision code ("ENG", "CA"). */
  region: string | null = null;
  city: string | null = null;
  /** Degrees; both NaN or neither. */
  latitude: f64 = NaN;
  longitude: f64 = NaN;
  /** IANA time zone ("Europe/London"). */
  timezone: string | null = null;
  /** The data set's EU flag: 1 in the EU, 0 not, -1 unknown. */
  eu: i32 = -1;
  /** US metro (DMA) code, -1 when none. */
  metro: i64 = -1;
  /** Km around latitude/longitude, -1 when unknown. */
  accuracyRadius: i64 = -1;
}

/** An image response's attributes, read from its headers. */
export class ImageAttributes {
  /** jpeg, png, webp, avif, gif, tiff or svg. */
  format: string = "";
  /** Stored pixel size (EXIF orientation not applied); one frame of an animation. */
  width: u32 = 0;
  height: u32 = 0;
  /** EXIF orientation 1-8; 0 when the image has none. */
  orientation: u8 = 0;
  hasAlpha: bool = false;
  /** Size of the encoded body. */
  bytes: u64 = 0;
  /** Frame count (1 unless animated). */
  pages: u32 = 1;
}

/** How width and height combine (sharp's fit). Default: the node's default (inside). */
export enum Fit { Default = -1, Cover = 0, Contain = 1, Fill = 2, Inside = 3, Outside = 4 }
/** Output format. Source: keep the source's; Auto: the best the client's Accept names (adds Vary: Accept). */
export enum TransformFormat { Source = -1, Jpeg = 0, Png = 1, Webp = 2, Avif = 3, Auto = 4 }

/** An image transform (wit/README.md, "Image transforms"); set at least one of width, height, format, quality. */
export class TransformSpec {
  /** 1 to the node's max_width; 0 = not set. */
  width: u32 = 0;
  /** 1 to the node's max_height; 0 = not set. */
  height: u32 = 0;
  fit: Fit = Fit.Default;
  withoutEnlargement: bool = true;
  format: TransformFormat = TransformFormat.Source;
  /** 1-100; 0 = the node's default quality. */
  quality: u8 = 0;
}

// ---- lifting helpers --------------------------------------------------------------------------
function takeString(ptr: usize, len: i32): string {
  const s = String.UTF16.decodeUnsafe(ptr, <usize>len << 1);
  heap.free(ptr);
  return s;
}
function retString(): string { return takeString(load<u32>(RET), load<i32>(RET, 4)); }
function retOptString(at: usize): string | null {
  if (load<u8>(at) == 0) return null;
  return takeString(load<u32>(at, 4), load<i32>(at, 8));
}
function retStringList(): string[] {
  const base = <usize>load<u32>(RET);
  const n = load<i32>(RET, 4);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const el = base + (<usize>i << 3);
    out[i] = takeString(load<u32>(el), load<i32>(el, 4));
  }
  heap.free(base);
  return out;
}
function takeBytes(ptr: usize, len: i32): ArrayBuffer {
  const buf = new ArrayBuffer(len);
  memory.copy(changetype<usize>(buf), ptr, len);
  heap.free(ptr);
  return buf;
}
function retOptBytes(): ArrayBuffer | null {
  if (load<u8>(RET) == 0) return null;
  return takeBytes(load<u32>(RET, 4), load<i32>(RET, 8));
}
function retResult(): EditError { return load<u8>(RET) == 0 ? EditError.Ok : <EditError>load<u8>(RET, 1); }
function sp(s: string): usize { return changetype<usize>(s); }
function retOptU32(at: usize, absent: i64): i64 { return load<u8>(at) == 0 ? absent : <i64>load<u32>(at, 4); }

/** Lowers a TransformSpec into set-transform's flat parameters; `response` picks the interface. */
function lowerTransform(response: bool, t: TransformSpec): EditError {
  const fit = <i32>t.fit, format = <i32>t.format;
  const wd = <i32>(t.width != 0), hd = <i32>(t.height != 0), fd = <i32>(fit >= 0), fmd = <i32>(format >= 0), qd = <i32>(t.quality != 0);
  const noup = <i32>t.withoutEnlargement;
  if (response) _rs_set_transform(wd, t.width, hd, t.height, fd, max(fit, 0), noup, fmd, max(format, 0), qd, <i32>t.quality, RET);
  else _rq_set_transform(wd, t.width, hd, t.height, fd, max(fit, 0), noup, fmd, max(format, 0), qd, <i32>t.quality, RET);
  return retResult();
}
function bp(b: ArrayBuffer): usize { return changetype<usize>(b); }

// ---- the request --------------------------------------------------------------------------------
export namespace request {
  export function method(): string { _rq_method(RET); return retString(); }
  export function path(): string { _rq_path(RET); return retString(); }
  export function query(): string { _rq_query(RET); return retString(); }
  export function authority(): string { _rq_authority(RET); return retString(); }
  export function scheme(): string { _rq_scheme(RET); return retString(); }
  export function clientIp(): string { _rq_client_ip(RET); return retString(); }
  export function geo(): GeoAttributes | null {
    _rq_geo(RET);
    if (load<u8>(RET) == 0) return null;
    const g = new GeoAttributes();
    const p = RET + 8;
    // Record offsets (canonical ABI): country 0, region 12, city 24, latitude 40, longitude 56,
    // timezone 72, eu 84, metro 88, accuracy-radius 96.
    g.country = retOptString(p);
    g.region = retOptString(p + 12);
    g.city = retOptString(p + 24);
    if (load<u8>(p + 40) != 0) g.latitude = load<f64>(p + 48);
    if (load<u8>(p + 56) != 0) g.longitude = load<f64>(p + 64);
    g.timezone = retOptString(p + 72);
    if (load<u8>(p + 84) != 0) g.eu = <i32>load<u8>(p + 85);
    g.metro = retOptU32(p + 88, -1);
    g.accuracyRadius = retOptU32(p + 96, -1);
    return g;
  }
  export function getHeader(name: string): string | null { _rq_get(sp(name), name.length, RET); return retOptString(RET); }
  export function getHeaderAll(name: string): string[] { _rq_get_all(sp(name), name.length, RET); return retStringList(); }
  export function headerNames(): string[] { _rq_names(RET); return retStringList(); }
  export function setHeader(name: string, value: string): EditError { _rq_set(sp(name), name.length, sp(value), value.length, RET); return retResult(); }
  export function appendHeader(name: string, value: string): EditError { _rq_append(sp(name), name.length, sp(value), value.length, RET); return retResult(); }
  export function removeHeader(name: string): EditError { _rq_remove(sp(name), name.length, RET); return retResult(); }
  export function setMethod(v: string): EditError { _rq_set_method(sp(v), v.length, RET); return retResult(); }
  export function setPath(v: string): EditError { _rq_set_path(sp(v), v.length, RET); return retResult(); }
  export function setQuery(v: string): EditError { _rq_set_query(sp(v), v.length, RET); return retResult(); }
  export function addCacheKeyPart(v: string): EditError { _rq_key_part(sp(v), v.length, RET); return retResult(); }
  export function body(): ArrayBuffer | null { _rq_body(RET); return retOptBytes(); }
  export function setBody(b: ArrayBuffer): EditError { _rq_set_body(bp(b), b.byteLength, RET); return retResult(); }
  /** on-request: serve a transformed variant of the image at this URL (GET/HEAD). wrong-phase elsewhere; invalid-value out of bounds. */
  export function setTransform(t: TransformSpec): EditError { return lowerTransform(false, t); }
}

// ---- the response -------------------------------------------------------------------------------
export namespace response {
  export function status(): u16 { return <u16>_rs_status(); }
  export function setStatus(s: u16): EditError { _rs_set_status(s, RET); return retResult(); }
  export function source(): ResponseSource { return <ResponseSource>_rs_source(); }
  export function image(): ImageAttributes | null {
    _rs_image(RET);
    if (load<u8>(RET) == 0) return null;
    // Record offsets: format 0, width 8, height 12, orientation 16, has-alpha 18, bytes 24, pages 32.
    const p = RET + 8;
    const img = new ImageAttributes();
    img.format = takeString(load<u32>(p), load<i32>(p, 4));
    img.width = load<u32>(p, 8);
    img.height = load<u32>(p, 12);
    if (load<u8>(p, 16) != 0) img.orientation = load<u8>(p, 17);
    img.hasAlpha = load<u8>(p, 18) != 0;
    img.bytes = load<u64>(p, 24);
    img.pages = <u32>retOptU32(p + 32, 1);
    return img;
  }
  export function getHeader(name: string): string | null { _rs_get(sp(name), name.length, RET); return retOptString(RET); }
  export function getHeaderAll(name: string): string[] { _rs_get_all(sp(name), name.length, RET); return retStringList(); }
  export function headerNames(): string[] { _rs_names(RET); return retStringList(); }
  export function setHeader(name: string, value: string): EditError { _rs_set(sp(name), name.length, sp(value), value.length, RET); return retResult(); }
  export function appendHeader(name: string, value: string): EditError { _rs_append(sp(name), name.length, sp(value), value.length, RET); return retResult(); }
  export function removeHeader(name: string): EditError { _rs_remove(sp(name), name.length, RET); return retResult(); }
  export function body(): ArrayBuffer | null { _rs_body(RET); return retOptBytes(); }
  export function setBody(b: ArrayBuffer): EditError { _rs_set_body(bp(b), b.byteLength, RET); return retResult(); }
  /** on-origin-response: store (and serve) the image transformed. wrong-phase elsewhere; invalid-value out of bounds. */
  export function setTransform(t: TransformSpec): EditError { return lowerTransform(true, t); }
}

// ---- cache policy (on-origin-response) ------------------------------------------------------
export namespace cache {
  export function setTtl(seconds: u32): EditError { _c_ttl(seconds, RET); return retResult(); }
  export function setCacheable(v: bool): EditError { _c_cacheable(v ? 1 : 0, RET); return retResult(); }
  export function addTag(tag: string): EditError { _c_tag(sp(tag), tag.length, RET); return retResult(); }
}

// ---- log, clock, config, crypto -----------------------------------------------------------------
/** `fields` is a flat [key, value, key, value, ...] list. */
export function log(level: LogLevel, message: string, fields: string[] = []): void {
  const n = fields.length >> 1;
  const area = heap.alloc(<usize>n << 4);
  for (let i = 0; i < n; i++) {
    const k = fields[i << 1], v = fields[(i << 1) + 1];
    const el = area + (<usize>i << 4);
    store<u32>(el, sp(k)); store<i32>(el, k.length, 4);
    store<u32>(el, sp(v), 8); store<i32>(el, v.length, 12);
  }
  _log(<i32>level, sp(message), message.length, area, n);
  heap.free(area);
}
export function monotonicNow(): u64 { return _clock_now(); }
/** Milliseconds since the Unix epoch. */
export function wallNow(): u64 { return _clock_wall(); }
export function config(): string { _config_get(RET); return retString(); }

export namespace crypto {
  export function hmacSha256(key: ArrayBuffer, data: ArrayBuffer): ArrayBuffer {
    _hmac(bp(key), key.byteLength, bp(data), data.byteLength, RET);
    return takeBytes(load<u32>(RET), load<i32>(RET, 4));
  }
  export function sha256(data: ArrayBuffer): ArrayBuffer {
    _sha256(bp(data), data.byteLength, RET);
    return takeBytes(load<u32>(RET), load<i32>(RET, 4));
  }
  export function constantTimeEqual(a: ArrayBuffer, b: ArrayBuffer): bool {
    return _cteq(bp(a), a.byteLength, bp(b), b.byteLength) != 0;
  }
}

/** UTF-8 bytes of a string (for crypto inputs). */
export function utf8(s: string): ArrayBuffer { return String.UTF8.encode(s); }

// ---- lowering the verdict (used by the generated export wrappers) ---------------------------
const VERDICT: usize = memory.data(24, 4);
let pendingArea: usize = 0;

export function __lowerVerdict(v: Verdict): usize {
  if (pendingArea != 0) { heap.free(pendingArea); pendingArea = 0; }
  store<u8>(VERDICT, <u8>v.tag);
  if (v.tag == 0) return VERDICT;
  store<u16>(VERDICT + 4, v.status);
  const n = v.headers.length >> 1;
  const area = heap.alloc(<usize>n << 4);
  for (let i = 0; i < n; i++) {
    const k = v.headers[i << 1], val = v.headers[(i << 1) + 1];
    const el = area + (<usize>i << 4);
    store<u32>(el, sp(k)); store<i32>(el, k.length, 4);
    store<u32>(el, sp(val), 8); store<i32>(el, val.length, 12);
  }
  pendingArea = area;
  store<u32>(VERDICT + 8, area); store<i32>(VERDICT + 12, n);
  store<u32>(VERDICT + 16, bp(v.body)); store<i32>(VERDICT + 20, v.body.byteLength);
  // The header strings and body stay reachable until the next call: keep the verdict alive.
  lastVerdict = v;
  return VERDICT;
}
let lastVerdict: Verdict | null = null;

/**
 * Aborts (failed assertions, out-of-bounds, `throw new Error(...)`) trap instead of importing a
 * host `abort`; first they report the message and position through `log` with the reserved
 * message the host keeps as the call's failure (src/hook-runtime/guest-report.ts).
 */
export function __ehAbort(msg: usize, file: usize, line: u32, column: u32): void {
  const message = msg == 0 ? "abort" : changetype<string>(msg);
  const where = file == 0 ? "?" : changetype<string>(file);
  log(LogLevel.Error, "\0edgehook:guest-report", [
    "kind", "exception", "name", "abort", "message", message,
    "stack", "    at " + where + ":" + line.toString() + ":" + column.toString(),
  ]);
  unreachable();
}

// ---- text helpers: hex, base64url, query parameters, JSON (pure guest code) -------------------
// These are computations, not capabilities: they live in the SDK (as they would in a library a
// JS author pulls from npm), while what needs the host's speed or secrets (HMAC, SHA-256,
// constant-time compare, the clock) stays in the contract.

const HEX_DIGITS = "0123456789abcdef";
/** Lower-case hex of the bytes. */
export function hex(buf: ArrayBuffer): string {
  const bytes = Uint8Array.wrap(buf);
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX_DIGITS.charAt(bytes[i] >> 4) + HEX_DIGITS.charAt(bytes[i] & 15);
  return out;
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** base64url without padding (RFC 4648 §5), as JWTs and URLs use it. */
export function base64urlEncode(buf: ArrayBuffer): string {
  const b = Uint8Array.wrap(buf);
  let out = "";
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (<u32>b[i] << 16) | (<u32>b[i + 1] << 8) | <u32>b[i + 2];
    out += B64URL.charAt(n >> 18) + B64URL.charAt((n >> 12) & 63) + B64URL.charAt((n >> 6) & 63) + B64URL.charAt(n & 63);
  }
  const rest = b.length - i;
  if (rest == 1) {
    const n = <u32>b[i] << 16;
    out += B64URL.charAt(n >> 18) + B64URL.charAt((n >> 12) & 63);
  } else if (rest == 2) {
    const n = (<u32>b[i] << 16) | (<u32>b[i + 1] << 8);
    out += B64URL.charAt(n >> 18) + B64URL.charAt((n >> 12) & 63) + B64URL.charAt((n >> 6) & 63);
  }
  return out;
}

function b64Value(c: i32): i32 {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c == 45) return 62;
  if (c == 95) return 63;
  return -1;
}

/**
 * Decodes base64url with or without padding; null when a character, the length, the padding or
 * the unused trailing bits are not canonical (so one byte string has exactly one accepted text).
 */
export function base64urlDecode(s: string): ArrayBuffer | null {
  let len = s.length;
  while (len > 0 && s.length - len < 2 && s.charCodeAt(len - 1) == 61) len--;
  if (len % 4 == 1 || (len < s.length && s.length % 4 != 0)) return null;
  const out = new Uint8Array((len * 3) >> 2);
  let acc: u32 = 0, bits = 0, o = 0;
  for (let i = 0; i < len; i++) {
    const v = b64Value(s.charCodeAt(i));
    if (v < 0) return null;
    acc = (acc << 6) | <u32>v;
    bits += 6;
    if (bits >= 8) { bits -= 8; out[o++] = <u8>(acc >> bits); }
  }
  if ((acc & ((1 << bits) - 1)) != 0) return null;
  return out.buffer;
}

/** The raw (still percent-encoded) value of the first `name=` parameter of a query, or null. */
export function queryParam(query: string, name: string): string | null {
  const parts = query.split("&");
  for (let i = 0; i < parts.length; i++) {
    const eq = parts[i].indexOf("=");
    const key = eq < 0 ? parts[i] : parts[i].substring(0, eq);
    if (key == name) return eq < 0 ? "" : parts[i].substring(eq + 1);
  }
  return null;
}

/** The query without the parameters named in `names` (order of the others kept). */
export function withoutQueryParams(query: string, names: string[]): string {
  if (query.length == 0) return query;
  const parts = query.split("&");
  const kept = new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    const eq = parts[i].indexOf("=");
    const key = eq < 0 ? parts[i] : parts[i].substring(0, eq);
    if (!names.includes(key) && parts[i].length > 0) kept.push(parts[i]);
  }
  return kept.join("&");
}

export enum JsonKind { Null = 0, Bool = 1, Number = 2, String = 3, Array = 4, Object = 5 }

/** A parsed JSON value (config text, JWT claims). Objects keep their keys in order. */
export class Json {
  kind: JsonKind = JsonKind.Null;
  bool: bool = false;
  num: f64 = NaN;
  str: string = "";
  items: Json[] = [];
  keys: string[] = [];

  /** Parses JSON text; null when it is not valid JSON (or nests deeper than 32). */
  static parse(text: string): Json | null {
    const p = new JsonParser(text);
    const value = p.value(0);
    if (value === null) return null;
    p.space();
    return p.at == text.length ? value : null;
  }
  /** The member `key` of an object, or null (absent, or this is not an object). */
  get(key: string): Json | null {
    if (this.kind != JsonKind.Object) return null;
    for (let i = this.keys.length - 1; i >= 0; i--) if (this.keys[i] == key) return this.items[i];
    return null;
  }
  /** A string member, or null when absent or not a string. */
  getString(key: string): string | null {
    const v = this.get(key);
    return v !== null && v.kind == JsonKind.String ? v.str : null;
  }
  /** A number member, or NaN when absent or not a number. */
  getNumber(key: string): f64 {
    const v = this.get(key);
    return v !== null && v.kind == JsonKind.Number ? v.num : NaN;
  }
  /** A boolean member, or `fallback` when absent or not a boolean. */
  getBool(key: string, fallback: bool): bool {
    const v = this.get(key);
    return v !== null && v.kind == JsonKind.Bool ? v.bool : fallback;
  }
  /** The strings of an array member (non-strings skipped); [] when absent. */
  getStrings(key: string): string[] {
    const out = new Array<string>();
    const v = this.get(key);
    if (v === null || v.kind != JsonKind.Array) return out;
    for (let i = 0; i < v.items.length; i++) if (v.items[i].kind == JsonKind.String) out.push(v.items[i].str);
    return out;
  }
}

class JsonParser {
  at: i32 = 0;
  constructor(public text: string) {}

  space(): void {
    while (this.at < this.text.length) {
      const c = this.text.charCodeAt(this.at);
      if (c != 32 && c != 9 && c != 10 && c != 13) return;
      this.at++;
    }
  }
  literal(word: string): bool {
    if (this.text.substr(this.at, word.length) != word) return false;
    this.at += word.length;
    return true;
  }
  value(depth: i32): Json | null {
    if (depth > 32) return null;
    this.space();
    if (this.at >= this.text.length) return null;
    const c = this.text.charCodeAt(this.at);
    const v = new Json();
    if (c == 123) return this.object(depth);
    if (c == 91) return this.array(depth);
    if (c == 34) {
      const s = this.string();
      if (s === null) return null;
      v.kind = JsonKind.String; v.str = s;
      return v;
    }
    if (this.literal("true")) { v.kind = JsonKind.Bool; v.bool = true; return v; }
    if (this.literal("false")) { v.kind = JsonKind.Bool; return v; }
    if (this.literal("null")) return v;
    return this.number();
  }
  number(): Json | null {
    const start = this.at;
    while (this.at < this.text.length) {
      const c = this.text.charCodeAt(this.at);
      if (!((c >= 48 && c <= 57) || c == 45 || c == 43 || c == 46 || c == 101 || c == 69)) break;
      this.at++;
    }
    if (this.at == start) return null;
    const n = parseFloat(this.text.substring(start, this.at));
    if (isNaN(n)) return null;
    const v = new Json();
    v.kind = JsonKind.Number; v.num = n;
    return v;
  }
  string(): string | null {
    this.at++; // opening quote
    let out = "";
    let run = this.at;
    while (this.at < this.text.length) {
      const c = this.text.charCodeAt(this.at);
      if (c == 34) {
        out += this.text.substring(run, this.at);
        this.at++;
        return out;
      }
      if (c < 32) return null;
      if (c != 92) { this.at++; continue; }
      out += this.text.substring(run, this.at);
      const e = this.text.charCodeAt(this.at + 1);
      this.at += 2;
      if (e == 117) {
        const code = this.hex4();
        if (code < 0) return null;
        out += String.fromCharCode(code);
      } else if (e == 110) out += "\n";
      else if (e == 116) out += "\t";
      else if (e == 114) out += "\r";
      else if (e == 98) out += "\b";
      else if (e == 102) out += "\f";
      else if (e == 34 || e == 92 || e == 47) out += String.fromCharCode(e);
      else return null;
      run = this.at;
    }
    return null;
  }
  hex4(): i32 {
    if (this.at + 4 > this.text.length) return -1;
    let n = 0;
    for (let i = 0; i < 4; i++) {
      const c = this.text.charCodeAt(this.at + i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) return -1;
      n = (n << 4) | d;
    }
    this.at += 4;
    return n;
  }
  array(depth: i32): Json | null {
    this.at++;
    const v = new Json();
    v.kind = JsonKind.Array;
    this.space();
    if (this.at < this.text.length && this.text.charCodeAt(this.at) == 93) { this.at++; return v; }
    while (true) {
      const item = this.value(depth + 1);
      if (item === null) return null;
      v.items.push(item);
      this.space();
      if (this.at >= this.text.length) return null;
      const c = this.text.charCodeAt(this.at++);
      if (c == 93) return v;
      if (c != 44) return null;
    }
  }
  object(depth: i32): Json | null {
    this.at++;
    const v = new Json();
    v.kind = JsonKind.Object;
    this.space();
    if (this.at < this.text.length && this.text.charCodeAt(this.at) == 125) { this.at++; return v; }
    while (true) {
      this.space();
      if (this.at >= this.text.length || this.text.charCodeAt(this.at) != 34) return null;
      const key = this.string();
      if (key === null) return null;
      this.space();
      if (this.at >= this.text.length || this.text.charCodeAt(this.at++) != 58) return null;
      const item = this.value(depth + 1);
      if (item === null) return null;
      v.keys.push(key);
      v.items.push(item);
      this.space();
      if (this.at >= this.text.length) return null;
      const c = this.text.charCodeAt(this.at++);
      if (c == 125) return v;
      if (c != 44) return null;
    }
  }
}
