/**
 * Validation of every change a hook asks for, before it is recorded. The proxy owns framing and
 * connection management, so those fields are off limits; every value is bounded and free of
 * CR/LF/NUL so a hook can never split a header or smuggle a request. Field names are tokens
 * (visible ASCII); field values are octets (RFC 9110 §5.5), written as characters U+0000–U+00FF.
 */
export type EditError = 'forbidden-name' | 'invalid-value' | 'too-large' | 'wrong-phase' | 'body-not-buffered';

export const EDIT_ERRORS: readonly EditError[] = [
  'forbidden-name', 'invalid-value', 'too-large', 'wrong-phase', 'body-not-buffered',
];

export const LIMITS = {
  headerName: 256,
  headerValue: 8_192,
  /** Header edits (set/append/remove) per call. */
  editsPerCall: 256,
  method: 32,
  path: 8_192,
  query: 8_192,
  cacheKeyPart: 256,
  cacheKeyParts: 16,
  tag: 256,
  tags: 64,
  localResponseHeaders: 100,
  /** Body of a local response when the hook has no larger response-body bound. */
  localResponseBody: 1_048_576,
  logLinesPerCall: 32,
  logMessage: 2_048,
  logFields: 16,
  configBytes: 65_536,
} as const;

/** Fields the proxy manages itself: framing, hop-by-hop and the authority. */
const FORBIDDEN_HEADERS = new Set([
  'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'proxy-connection',
  'te', 'trailer', 'upgrade', 'host', 'http2-settings',
]);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §5.5: field-vchar (VCHAR / obs-text), SP and HTAB; never CR, LF, NUL or other
// controls. A value is octets: U+0080–U+00FF stand for the obs-text octets 0x80–0xFF, the way
// Node, undici and Fetch's ByteString read and write them (so a value a hook read comes back
// unchanged). A code point above U+00FF has no octet — Node would refuse to write it — and U+FFFD
// is what a lossy decoder leaves: both are invalid-value, never forwarded.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// No backslash: WHATWG URL parsers read it as '/', so a route check and an origin would disagree.
const PATH = /^\/[\x21-\x5b\x5d-\x7e]*$/;
const QUERY = /^[\x21-\x7e]*$/;

export function checkHeaderName(name: string): EditError | undefined {
  if (name.length === 0 || name.length > LIMITS.headerName) return name.length === 0 ? 'forbidden-name' : 'too-large';
  if (!TOKEN.test(name)) return 'forbidden-name';
  return FORBIDDEN_HEADERS.has(name.toLowerCase()) ? 'forbidden-name' : undefined;
}

export function checkHeaderValue(value: string): EditError | undefined {
  if (value.length > LIMITS.headerValue) return 'too-large';
  return FIELD_VALUE.test(value) ? undefined : 'invalid-value';
}

export function checkHeader(name: string, value: string): EditError | undefined {
  return checkHeaderName(name) ?? checkHeaderValue(value);
}

export function checkMethod(method: string): EditError | undefined {
  if (method.length > LIMITS.method) return 'too-large';
  return TOKEN.test(method) ? undefined : 'invalid-value';
}

export function checkPath(path: string): EditError | undefined {
  if (path.length > LIMITS.path) return 'too-large';
  return PATH.test(path) && !path.includes('?') && !path.includes('#') ? undefined : 'invalid-value';
}

export function checkQuery(query: string): EditError | undefined {
  if (query.length > LIMITS.query) return 'too-large';
  return QUERY.test(query) && !query.includes('#') ? undefined : 'invalid-value';
}

/** Cache key parts and tags: visible ASCII without commas (tags travel in a list header). */
export function checkLabel(value: string, max: number): EditError | undefined {
  if (value.length > max) return 'too-large';
  return /^[\x21-\x2b\x2d-\x7e]+$/.test(value) ? undefined : 'invalid-value';
}

/** Statuses a hook may set or answer with (no 1xx: the proxy owns interim responses). */
export function checkStatus(status: number): EditError | undefined {
  return Number.isInteger(status) && status >= 200 && status <= 599 ? undefined : 'invalid-value';
}
