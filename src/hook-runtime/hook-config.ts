/**
 * The `hooks:` items of the config file, typed and validated. The config engineer plugs
 * validateHookConfig into the config loader; errors carry a path such as `hooks[2].timeout_ms`.
 */
import type { BodyOverflow, PhaseName } from '../pipeline/hook-seam.ts';
import { isPhaseName } from './contract.ts';

export interface HookRoute {
  /** Exact host (case-insensitive, port ignored) or `*.example.com`; absent = any host. */
  readonly host?: string;
  /** Path glob: `*` matches within one segment, `**` across segments; absent = any path. */
  readonly path?: string;
  /** Upper-case methods; absent = any method. */
  readonly methods?: readonly string[];
}

export interface HookCircuitConfig {
  readonly failures: number;
  readonly window_ms: number;
  readonly cooldown_ms: number;
}

/** What a module is: a WIT component, or a proxy-wasm filter (a core module, ABI 0.2.x). */
export type HookKind = 'component' | 'proxy-wasm';

/** Settings only a proxy-wasm filter reads (docs/proxy-wasm.md). */
export interface ProxyWasmConfig {
  /** plugin_root_id: the root context the filter creates ("" = the SDKs' default). */
  readonly root_id: string;
  /** Handed to proxy_on_vm_start as VM_CONFIGURATION (strings verbatim, anything else as JSON). */
  readonly vm_config?: unknown;
}

export interface HookConfig {
  readonly name: string;
  /** A path (relative to the config file's directory) or an `https://` URL pinned by sha256. */
  readonly module: string;
  /** Hex SHA-256 of the module bytes; required for URLs, checked for paths when given. */
  readonly sha256?: string;
  readonly phases: readonly PhaseName[];
  readonly routes: readonly HookRoute[];
  /** Passed to the hook verbatim (strings) or as JSON text (anything else). */
  readonly config?: unknown;
  readonly on_error: 'open' | 'closed';
  readonly timeout_ms: number;
  readonly memory_mb: number;
  /** Bytes buffered for the hook per direction; `overflow`: what a body over the bound does (default error). */
  readonly body: { readonly request?: number; readonly response?: number; readonly overflow?: BodyOverflow };
  readonly isolation: 'pooled' | 'per-request';
  readonly circuit?: HookCircuitConfig;
  /** Absent: detected from the module's bytes (a component, or a core module with a proxy-wasm ABI marker). */
  readonly kind?: HookKind;
  readonly proxy_wasm?: ProxyWasmConfig;
}

export interface ConfigIssue { path: string; message: string }

export const HOOK_DEFAULTS = {
  on_error: 'closed', timeout_ms: 50, memory_mb: 16, isolation: 'pooled',
} as const;

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const HEX64 = /^[0-9a-f]{64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInt(raw: unknown, max: number): number | undefined {
  return typeof raw === 'number' && Number.isInteger(raw) && raw > 0 && raw <= max ? raw : undefined;
}

function validateRoute(raw: unknown, path: string, issues: ConfigIssue[]): HookRoute | undefined {
  if (!isRecord(raw)) return void issues.push({ path, message: 'must be an object' });
  const route: { host?: string; path?: string; methods?: string[] } = {};
  if (raw['host'] !== undefined) {
    if (typeof raw['host'] === 'string' && /^(\*\.)?[A-Za-z0-9.-]+$/.test(raw['host'])) route.host = raw['host'].toLowerCase();
    else issues.push({ path: `${path}.host`, message: 'must be a host name or *.domain' });
  }
  if (raw['path'] !== undefined) {
    if (typeof raw['path'] === 'string' && raw['path'].startsWith('/')) route.path = raw['path'];
    else issues.push({ path: `${path}.path`, message: 'must be a glob starting with /' });
  }
  if (raw['methods'] !== undefined) {
    const methods = raw['methods'];
    if (Array.isArray(methods) && methods.length > 0 && methods.every((m) => typeof m === 'string' && /^[A-Za-z]+$/.test(m))) {
      route.methods = methods.map((m: string) => m.toUpperCase());
    } else issues.push({ path: `${path}.methods`, message: 'must be a non-empty list of method names' });
  }
  for (const key of Object.keys(raw)) {
    if (!['host', 'path', 'methods'].includes(key)) issues.push({ path: `${path}.${key}`, message: 'unknown key' });
  }
  return route;
}

const KNOWN_KEYS = new Set(['name', 'module', 'sha256', 'phases', 'routes', 'config', 'on_error', 'timeout_ms',
  'memory_mb', 'body', 'isolation', 'circuit', 'kind', 'proxy_wasm']);

/** Validates one `hooks:` item; `path` prefixes the error paths (e.g. `hooks[0]`). */
export function validateHookConfig(raw: unknown, path: string): { value?: HookConfig; errors: ConfigIssue[] } {
  const errors: ConfigIssue[] = [];
  if (!isRecord(raw)) return { errors: [{ path, message: 'must be an object' }] };
  for (const key of Object.keys(raw)) if (!KNOWN_KEYS.has(key)) errors.push({ path: `${path}.${key}`, message: 'unknown key' });
  const name = raw['name'];
  if (typeof name !== 'string' || !NAME.test(name)) errors.push({ path: `${path}.name`, message: 'must match [a-z0-9][a-z0-9._-]{0,63}' });
  const module = raw['module'];
  const isUrl = typeof module === 'string' && module.startsWith('https://');
  if (typeof module !== 'string' || module.length === 0 || (/^[a-z]+:\/\//i.test(module) && !isUrl)) {
    errors.push({ path: `${path}.module`, message: 'must be a file path or an https:// URL' });
  }
  const sha256 = raw['sha256'];
  if (sha256 !== undefined && (typeof sha256 !== 'string' || !HEX64.test(sha256))) {
    errors.push({ path: `${path}.sha256`, message: 'must be 64 lower-case hex digits' });
  }
  if (isUrl && sha256 === undefined) errors.push({ path: `${path}.sha256`, message: 'is required for an https:// module' });
  const phases = raw['phases'];
  if (!Array.isArray(phases) || phases.length === 0 || !phases.every(isPhaseName) || new Set(phases).size !== phases.length) {
    errors.push({ path: `${path}.phases`, message: 'must list distinct phases among on-request, on-origin-response, on-response' });
  }
  const routesRaw = raw['routes'] ?? [{}];
  const routes: HookRoute[] = [];
  if (!Array.isArray(routesRaw)) errors.push({ path: `${path}.routes`, message: 'must be a list' });
  else routesRaw.forEach((r, i) => { const route = validateRoute(r, `${path}.routes[${i}]`, errors); if (route) routes.push(route); });
  const onError = raw['on_error'] ?? HOOK_DEFAULTS.on_error;
  if (onError !== 'open' && onError !== 'closed') errors.push({ path: `${path}.on_error`, message: 'must be open or closed' });
  const timeout = raw['timeout_ms'] === undefined ? HOOK_DEFAULTS.timeout_ms : positiveInt(raw['timeout_ms'], 60_000);
  if (timeout === undefined) errors.push({ path: `${path}.timeout_ms`, message: 'must be an integer in 1..60000' });
  const memory = raw['memory_mb'] === undefined ? HOOK_DEFAULTS.memory_mb : positiveInt(raw['memory_mb'], 4_096);
  if (memory === undefined) errors.push({ path: `${path}.memory_mb`, message: 'must be an integer in 1..4096' });
  const body = validateBody(raw['body'], `${path}.body`, errors);
  const isolation = raw['isolation'] ?? HOOK_DEFAULTS.isolation;
  if (isolation !== 'pooled' && isolation !== 'per-request') errors.push({ path: `${path}.isolation`, message: 'must be pooled or per-request' });
  const circuit = validateCircuit(raw['circuit'], `${path}.circuit`, errors);
  const kind = raw['kind'];
  if (kind !== undefined && kind !== 'component' && kind !== 'proxy-wasm') errors.push({ path: `${path}.kind`, message: 'must be component or proxy-wasm' });
  const proxyWasm = validateProxyWasm(raw['proxy_wasm'], `${path}.proxy_wasm`, errors);
  if (errors.length > 0) return { errors };
  return {
    errors,
    value: {
      name: name as string, module: module as string, ...(sha256 === undefined ? {} : { sha256: sha256 as string }),
      phases: phases as PhaseName[], routes, ...(raw['config'] === undefined ? {} : { config: raw['config'] }),
      on_error: onError as 'open' | 'closed', timeout_ms: timeout!, memory_mb: memory!, body,
      isolation: isolation as 'pooled' | 'per-request', ...(circuit === undefined ? {} : { circuit }),
      ...(kind === undefined ? {} : { kind: kind as HookKind }), ...(proxyWasm === undefined ? {} : { proxy_wasm: proxyWasm }),
    },
  };
}

function validateBody(raw: unknown, path: string, errors: ConfigIssue[]): HookConfig['body'] {
  if (raw === undefined) return {};
  if (!isRecord(raw)) {
    errors.push({ path, message: 'must be an object' });
    return {};
  }
  const out: { request?: number; response?: number; overflow?: BodyOverflow } = {};
  for (const key of ['request', 'response'] as const) {
    if (raw[key] === undefined) continue;
    const value = raw[key];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 64 * 1_048_576) out[key] = value;
    else errors.push({ path: `${path}.${key}`, message: 'must be a byte count in 0..67108864' });
  }
  const overflow = raw['overflow'];
  if (overflow === 'error' || overflow === 'pass') out.overflow = overflow;
  else if (overflow !== undefined) errors.push({ path: `${path}.overflow`, message: 'must be error or pass' });
  return out;
}

function validateCircuit(raw: unknown, path: string, errors: ConfigIssue[]): HookCircuitConfig | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) return void errors.push({ path, message: 'must be an object' });
  const failures = positiveInt(raw['failures'], 1_000_000);
  const window = positiveInt(raw['window_ms'], 86_400_000);
  const cooldown = positiveInt(raw['cooldown_ms'], 86_400_000);
  if (failures === undefined || window === undefined || cooldown === undefined) {
    return void errors.push({ path, message: 'needs positive integers failures, window_ms, cooldown_ms' });
  }
  return { failures, window_ms: window, cooldown_ms: cooldown };
}

function validateProxyWasm(raw: unknown, path: string, errors: ConfigIssue[]): ProxyWasmConfig | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) return void errors.push({ path, message: 'must be an object' });
  for (const key of Object.keys(raw)) if (key !== 'root_id' && key !== 'vm_config') errors.push({ path: `${path}.${key}`, message: 'unknown key' });
  const rootId = raw['root_id'] ?? '';
  if (typeof rootId !== 'string') return void errors.push({ path: `${path}.root_id`, message: 'must be a string' });
  return { root_id: rootId, ...(raw['vm_config'] === undefined ? {} : { vm_config: raw['vm_config'] }) };
}

/** The `config` value as the hook's config() import returns it. */
export function hookConfigText(config: unknown): string {
  if (config === undefined) return '';
  return typeof config === 'string' ? config : JSON.stringify(config);
}

/**
 * Whether a reload's config describes the same hook as the serving one: every setting equal apart
 * from where the module is fetched from (`module`, `sha256`), whose bytes the registry compares by
 * hash. Key order inside `config` counts, since the hook reads that text verbatim.
 */
export function isSameHookSettings(a: HookConfig, b: HookConfig): boolean {
  return JSON.stringify(settingsOf(a)) === JSON.stringify(settingsOf(b));
}

function settingsOf({ module: _module, sha256: _sha256, ...settings }: HookConfig): Omit<HookConfig, 'module' | 'sha256'> {
  return settings;
}
