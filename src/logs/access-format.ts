/**
 * The access log's line formats, compiled once at load into a function of an AccessEntry: JSON
 * with a chosen list of fields (Envoy's JSON access-log format), or a text template with `$field`
 * placeholders (nginx's log_format). Field names are checked when the config is read; the
 * request path only calls the compiled function.
 */
import type { AccessEntry } from './access-entry.ts';

type Value = string | number | boolean | null;
type Getter = (e: AccessEntry) => Value;

const ms = (n: number): number | null => (n < 0 ? null : Math.round(n * 1000) / 1000);

/** Every field, in the default order. Times are milliseconds to the microsecond. */
export const ACCESS_FIELDS: Readonly<Record<string, Getter>> = {
  time: (e) => new Date(e.startWall).toISOString(),
  client_ip: (e) => e.clientIp ?? e.socket.remoteAddress ?? null,
  peer: (e) => e.socket.remoteAddress ?? null,
  method: (e) => e.req.method ?? null,
  url: (e) => e.req.url ?? null,
  protocol: (e) => `HTTP/${e.req.httpVersion}`,
  host: (e) => e.req.headers.host ?? null,
  status: (e) => e.status,
  bytes: (e) => e.bytes,
  duration_ms: (e) => ms(e.durationMs),
  ttfb_ms: (e) => ms(e.ttfbMs),
  cache_status: (e) => e.cacheStatus,
  result: (e) => e.result,
  origin_status: (e) => (e.originStatus === 0 ? null : e.originStatus),
  origin_ms: (e) => ms(e.originMs),
  hooks: (e) => e.hooks,
  completed: (e) => e.completed,
  trace_id: (e) => e.traceId,
  user_agent: (e) => e.req.headers['user-agent'] ?? null,
  referer: (e) => e.req.headers.referer ?? null,
};

/** The fields a JSON line carries by default (all but user_agent, referer, peer, protocol, host). */
export const DEFAULT_JSON_FIELDS = [
  'time', 'client_ip', 'method', 'url', 'status', 'bytes', 'duration_ms', 'ttfb_ms', 'cache_status', 'result',
  'origin_status', 'origin_ms', 'hooks', 'completed', 'trace_id',
] as const;

export type AccessFormatter = (e: AccessEntry) => string;

export function isAccessField(name: string): boolean {
  return Object.hasOwn(ACCESS_FIELDS, name);
}

/**
 * The getter of `name` for one formatter. `time` remembers its last string: requests that
 * arrive in the same millisecond share it (toISOString was ~1 µs of a ~4 µs line, measured
 * with bench/access-log-bench.ts).
 */
function getterOf(name: string): Getter {
  if (name !== 'time') return ACCESS_FIELDS[name]!;
  let lastMs = -1;
  let lastText = '';
  return (e) => {
    if (e.startWall !== lastMs) {
      lastMs = e.startWall;
      lastText = new Date(lastMs).toISOString();
    }
    return lastText;
  };
}

/** Characters a JSON string must escape; lone surrogates too, as JSON.stringify does. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify of one value, without its cost for the common plain string and number. */
function jsonValue(value: Value): string {
  if (typeof value === 'string') return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return value === null ? 'null' : String(value);
}

/** One JSON object per line, keys in the order given. */
export function compileJsonFormat(fields: readonly string[]): AccessFormatter {
  const prefixes = fields.map((name, i) => `${i === 0 ? '{' : ','}${JSON.stringify(name)}:`);
  const getters = fields.map(getterOf);
  return (e) => {
    let line = '';
    for (let i = 0; i < getters.length; i++) line += prefixes[i]! + jsonValue(getters[i]!(e));
    return (getters.length === 0 ? '{' : line) + '}';
  };
}

const PLACEHOLDER = /\$(?:\{([a-z_]+)\}|([a-z_]+))/g;

/** The `$field` / `${field}` names in a template that are not fields (for the config check). */
export function unknownTemplateFields(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => (m[1] ?? m[2])!).filter((name) => !isAccessField(name));
}

/**
 * nginx-style text: literal pieces and values alternate; an absent value prints "-", and
 * values are written as they are (a URL with a space comes from a client that sent one: the
 * guard refuses those before they get here).
 */
export function compileTemplateFormat(template: string): AccessFormatter {
  const literals: string[] = [];
  const getters: Getter[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    literals.push(template.slice(last, match.index));
    getters.push(getterOf((match[1] ?? match[2])!));
    last = match.index + match[0].length;
  }
  const tail = template.slice(last);
  return (e) => {
    let line = '';
    for (let i = 0; i < getters.length; i++) {
      const value = getters[i]!(e);
      line += literals[i]! + (value === null ? '-' : String(value));
    }
    return line + tail;
  };
}
