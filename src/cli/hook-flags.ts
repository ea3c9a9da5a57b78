/**
 * The flags of each `edgehook hook` action, declared once: the parser refuses an unknown flag
 * with a "did you mean", a missing value, or an unexpected positional, and hook-help.ts prints
 * the same table (a test checks every flag is documented). Repeatable flags (-H) keep every
 * value; the others keep the last.
 */
import { didYouMean } from '../config/suggest.ts';

export const HOOK_ACTION_NAMES = ['new', 'build', 'run', 'test', 'dev'] as const;
export type HookActionName = (typeof HOOK_ACTION_NAMES)[number];

export interface HookFlag {
  /** Placeholder for the value; absent for a boolean flag. */
  readonly value?: string;
  readonly short?: string;
  readonly repeat?: boolean;
  readonly doc: string;
}

const ENGINE: HookFlag = { value: 'quickjs|spidermonkey', doc: 'JS engine for .ts/.js hooks (default quickjs: ~2 s builds, 1.6 MB).' };

export const HOOK_FLAGS: Record<HookActionName, Record<string, HookFlag>> = {
  new: {
    lang: { value: 'ts|as', doc: 'TypeScript (JS engine, default) or AssemblyScript (the fast path).' },
  },
  build: {
    engine: ENGINE,
    out: { value: 'FILE', short: 'o', doc: 'Where to write the component (default: the entry with .wasm).' },
  },
  run: {
    phase: { value: 'PHASE', doc: 'on-request (default), on-origin-response or on-response.' },
    method: { value: 'METHOD', doc: 'Request method (default GET).' },
    url: { value: 'URL', doc: 'Request URL (default http://localhost/).' },
    header: { value: 'NAME: VALUE', short: 'H', repeat: true, doc: 'A request header (repeatable).' },
    body: { value: 'TEXT', doc: 'Request body.' },
    'client-ip': { value: 'IP', doc: 'Client address; geo comes from a real geoip-lite lookup of it.' },
    geo: { value: 'JSON', doc: 'Geo fields instead of the lookup, e.g. \'{"country":"NZ"}\'.' },
    request: { value: 'FILE', doc: 'A JSON request spec (method, url, headers, clientIp, body, geo, response); flags win.' },
    status: { value: 'N', doc: 'Response status for the response phases (default 200).' },
    'response-header': { value: 'NAME: VALUE', repeat: true, doc: 'A response header (repeatable).' },
    'response-body': { value: 'TEXT', doc: 'Response body.' },
    image: { value: 'FILE', doc: 'An image file as the response body: its real attributes (sharp) feed response.image().' },
    config: { value: 'JSON|TEXT', doc: 'The hook\'s config (config.get()).' },
    'timeout-ms': { value: 'N', doc: 'Deadline per call (default 1000).' },
    'memory-mb': { value: 'N', doc: 'Memory cap (default 16; SpiderMonkey needs 128).' },
    engine: ENGINE,
  },
  test: {
    hook: { value: 'ENTRY', doc: 'The hook to test (default: the hook.ts/hook.as beside the tests/ folder).' },
    engine: ENGINE,
  },
  dev: {
    origin: { value: 'URL', doc: 'Origin the node proxies to (required).' },
    listen: { value: 'HOST:PORT', doc: 'Where the node listens (default 127.0.0.1:8080).' },
    phases: { value: 'LIST', doc: 'Phases to bind, comma-separated (default: every phase the hook exports).' },
    config: { value: 'JSON|TEXT', doc: 'The hook\'s config.' },
    engine: ENGINE,
  },
};

export class HookUsageError extends Error {
  override readonly name = 'HookUsageError';
}

export interface ParsedHookArgs {
  readonly positional: string[];
  readonly flags: Map<string, string[]>;
  readonly help: boolean;
}

/** Parses an action's arguments against its table; throws HookUsageError with a hint. */
export function parseHookArgs(action: HookActionName, args: readonly string[]): ParsedHookArgs {
  const specs = HOOK_FLAGS[action];
  const byShort = new Map(Object.entries(specs).filter(([, spec]) => spec.short !== undefined).map(([name, spec]) => [spec.short!, name]));
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') { help = true; continue; }
    if (!arg.startsWith('-') || arg === '-') { positional.push(arg); continue; }
    const eq = arg.indexOf('=');
    const raw = eq > 0 ? arg.slice(0, eq) : arg;
    const name = raw.startsWith('--') ? raw.slice(2) : byShort.get(raw.slice(1));
    const spec = name === undefined ? undefined : specs[name];
    if (name === undefined || spec === undefined) {
      const hint = didYouMean(raw, Object.keys(specs).map((flag) => `--${flag}`), '');
      throw new HookUsageError(`unknown option ${raw} for "edgehook hook ${action}"${hint}`);
    }
    let value = '';
    if (spec.value !== undefined) {
      value = eq > 0 ? arg.slice(eq + 1) : args[++i] ?? '';
      if (eq < 0 && (i >= args.length || (value.startsWith('-') && value !== '-'))) throw new HookUsageError(`${raw} needs a value (${spec.value})`);
    }
    flags.set(name, spec.repeat === true ? [...(flags.get(name) ?? []), value] : [value]);
  }
  return { positional, flags, help };
}

/** The value of a flag given once (the last one), or undefined. */
export function flag(flags: ReadonlyMap<string, string[]>, name: string): string | undefined {
  const values = flags.get(name);
  return values === undefined ? undefined : values[values.length - 1];
}

/** Checks a value against a closed set, with a "did you mean" (phase names, engines, languages). */
export function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new HookUsageError(`${what} "${value}" is not one of ${allowed.join(', ')}${didYouMean(value, allowed)}`);
}
