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

/** One JSON object per line, keys in the order given. */
export function compileJsonFormat(fields: readonly string[]): AccessFormatter {
  const parts = fields.map((name) => ({ prefix: `${JSON.stringify(name)}:`, get: ACCESS_FIELDS[name]! }));
  return (e) => {
    let line = '{';
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      line += (i === 0 ? '' : ',') + part.prefix + JSON.stringify(part.get(e));
    }
    return line + '}';
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
    getters.push(ACCESS_FIELDS[(match[1] ?? match[2])!]!);
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
