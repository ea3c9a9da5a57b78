/**
 * The `hooks:` list. The config layer validates it (every problem at once, with file:line and
 * "did you mean") and produces exactly the HookConfig the hook runtime loads, so there is one
 * validator and one set of defaults. Item keys stay snake_case in TypeScript too: they are the
 * runtime's documented contract (wit/README.md, hooks/README.md), and renaming them in between
 * would give one concept two spellings.
 */
import { resolve } from 'node:path';
import type { HookConfig, HookRoute } from '../hook-runtime/hook-config.ts';
import { HOOK_DEFAULTS } from '../hook-runtime/hook-config.ts';
import type { PhaseName } from '../pipeline/hook-seam.ts';
import * as s from './dsl/index.ts';

export type { HookConfig };

export const HOOK_PHASES = ['on-request', 'on-origin-response', 'on-response'] as const satisfies readonly PhaseName[];
const MAX_BODY_BYTES = 64 * 1_048_576;

const route = s.map(s.object({
  host: s.orNull(s.string({
    doc: 'Exact host (case-insensitive, port ignored) or "*.example.com".',
    pattern: { regex: /^(\*\.)?[A-Za-z0-9.-]+$/, label: 'a host name or *.domain' },
  }), { meaning: 'any host' }),
  path: s.orNull(s.string({
    doc: 'Path glob: "*" matches within one segment, "**" across segments.',
    pattern: { regex: /^\//, label: 'a path glob starting with "/"' },
  }), { meaning: 'any path' }),
  methods: s.orNull(s.array(s.string({ doc: 'An HTTP method.', pattern: { regex: /^[A-Za-z]+$/, label: 'a method name like "GET"' } }), {
    doc: 'Methods the route covers.', minItems: 1,
  }), { meaning: 'any method' }),
}, { doc: 'Where a hook applies: host, path glob and methods (all optional).' }), (value): HookRoute => Object.freeze({
  ...(value.host === null ? {} : { host: value.host.toLowerCase() }),
  ...(value.path === null ? {} : { path: value.path }),
  ...(value.methods === null ? {} : { methods: Object.freeze(value.methods.map((m) => m.toUpperCase())) }),
}));

const hookShape = {
  name: s.string({
    doc: 'Unique name of the hook, used in logs, metrics, traces and error messages.',
    pattern: { regex: /^[a-z0-9][a-z0-9._-]{0,63}$/, label: 'a hook name like "auth" (lower-case letters, digits, ".", "_", "-")' },
  }),
  module: s.map(s.string({ doc: 'The hook component: a file path (relative to the config file) or an https:// URL pinned by sha256.' }), resolveModule),
  sha256: s.orNull(s.string({
    doc: 'SHA-256 of the module bytes (hex). Required for https:// modules; checked for files when given.',
    pattern: { regex: /^[0-9a-f]{64}$/, label: '64 lower-case hex digits' },
  }), { meaning: 'not pinned (files only)' }),
  phases: s.array(s.enumOf(HOOK_PHASES, { doc: 'A request lifecycle phase.' }), {
    doc: 'Phases the hook runs in; the module must export each. Request phases run hooks in list order, response phases in reverse.',
    minItems: 1,
  }),
  routes: s.array(route, { doc: 'Routes the hook applies to; [{}] = everything.', default: [{}] }),
  config: s.json({ doc: 'Settings handed to the hook (its config() import returns strings verbatim, anything else as JSON).' }),
  on_error: s.enumOf(['open', 'closed'], {
    doc: 'A failing hook (trap, deadline, bad verdict, open circuit): closed answers 503 naming the hook; open continues as if it were absent.',
    default: HOOK_DEFAULTS.on_error,
  }),
  timeout_ms: s.duration({ doc: 'Deadline for one hook call.', default: `${HOOK_DEFAULTS.timeout_ms}ms`, min: 1, max: 60_000 }),
  memory_mb: s.int({ doc: 'Cap on one instance\'s linear memory, in MiB (the module\'s declared maximum is rewritten to it).', default: HOOK_DEFAULTS.memory_mb, min: 1, max: 4096 }),
  body: s.object({
    request: s.bytes({ doc: 'Request body bytes buffered for the hook (a size, or a bare number of bytes; 0 = streamed past it; over the bound: see overflow).', default: 0, min: 0, max: MAX_BODY_BYTES, bareNumber: true }),
    response: s.bytes({ doc: 'Response body bytes buffered for the hook (a size, or a bare number of bytes; 0 = streamed past it; over the bound: see overflow).', default: 0, min: 0, max: MAX_BODY_BYTES, bareNumber: true }),
    overflow: s.enumOf(['error', 'pass'], {
      doc: 'What a body over the bound does, in every phase and both directions: error answers 413 (request) or 500 (response) before any hook runs (once the body is past the largest bound among the route\'s hooks); pass sends it on whole and unchanged without calling this hook for it, with a log line (code EH_HOOK_BODY_OVER_BOUND).',
      default: 'error',
    }),
  }, { doc: 'Bodies the hook reads or replaces, bounded.' }),
  isolation: s.enumOf(['pooled', 'per-request'], {
    doc: 'pooled: instances are reused across requests, so guest globals and heap persist from one request (and client) to the next — never keep request data or secrets there; per-request: a fresh instance per call, nothing carried over, for an instantiation per call.',
    default: HOOK_DEFAULTS.isolation,
  }),
  circuit: s.orNull(s.object({
    failures: s.int({ doc: 'Failures within the window that trip the circuit.', default: 5, min: 1 }),
    window_ms: s.duration({ doc: 'Window the failures are counted in.', default: '10s', min: 1 }),
    cooldown_ms: s.duration({ doc: 'How long a tripped hook is skipped (its on_error answer applies) before one trial call.', default: '30s', min: 1 }),
  }, { doc: 'Circuit breaker.' }), { meaning: '5 failures in 10 s trip it for 30 s' }),
  kind: s.orNull(s.enumOf(['component', 'proxy-wasm'], {
    doc: 'What the module is: a WIT component (edgehook\'s contract) or a proxy-wasm filter (a core module built against the proxy-wasm ABI 0.2.x; see docs/proxy-wasm.md).',
  }), { meaning: 'detected from the module\'s bytes' }),
  proxy_wasm: s.orNull(s.object({
    root_id: s.string({ doc: 'plugin_root_id: the root context the filter creates (SDKs register root contexts by this id).', default: '' }),
    vm_config: s.json({ doc: 'VM configuration handed to proxy_on_vm_start (strings verbatim, anything else as JSON). `config` is the plugin configuration proxy_on_configure reads.' }),
  }, { doc: 'Settings only a proxy-wasm filter reads.' }), { meaning: 'root_id "" and no VM configuration' }),
};

type HookFields = s.ObjectValue<typeof hookShape>;

const hookField = s.map(s.object(hookShape, { doc: 'One hook.' }), toRuntimeConfig);

export const hooksField: s.Field<readonly HookConfig[]> = s.map(
  s.array(hookField, { doc: 'Hooks, in the order request phases run them (see wit/README.md).', default: [] }),
  rejectDuplicateNames,
);

/** URLs stay as written; file paths resolve against the config file's directory. */
function resolveModule(module: string, ctx: s.ParseContext): string | s.Invalid {
  if (module.startsWith('https://')) return module;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(module)) return s.expected(ctx, 'a file path or an https:// URL', module);
  return ctx.baseDir === undefined ? module : resolve(ctx.baseDir, module);
}

function toRuntimeConfig(value: HookFields, ctx: s.ParseContext): HookConfig | s.Invalid {
  if (value.module.startsWith('https://') && value.sha256 === null) {
    return s.report(s.at(ctx, 'sha256'), 'expected the module\'s SHA-256: an https:// module must be pinned');
  }
  return Object.freeze({
    name: value.name,
    module: value.module,
    ...(value.sha256 === null ? {} : { sha256: value.sha256 }),
    phases: value.phases,
    routes: value.routes,
    ...(value.config === null ? {} : { config: value.config }),
    on_error: value.onError,
    timeout_ms: value.timeoutMs,
    memory_mb: value.memoryMb,
    body: Object.freeze({ request: value.body.request, response: value.body.response, overflow: value.body.overflow }),
    isolation: value.isolation,
    ...(value.circuit === null ? {} : {
      circuit: Object.freeze({ failures: value.circuit.failures, window_ms: value.circuit.windowMs, cooldown_ms: value.circuit.cooldownMs }),
    }),
    ...(value.kind === null ? {} : { kind: value.kind }),
    ...(value.proxyWasm === null ? {} : {
      proxy_wasm: Object.freeze({ root_id: value.proxyWasm.rootId, ...(value.proxyWasm.vmConfig === null ? {} : { vm_config: value.proxyWasm.vmConfig }) }),
    }),
  });
}

/** Names identify hooks in logs and metrics, so two hooks may not share one. */
function rejectDuplicateNames(hooks: readonly HookConfig[], ctx: s.ParseContext): readonly HookConfig[] | s.Invalid {
  const firstIndex = new Map<string, number>();
  let ok = true;
  hooks.forEach((hook, index) => {
    const first = firstIndex.get(hook.name);
    if (first === undefined) {
      firstIndex.set(hook.name, index);
      return;
    }
    const other = s.formatKeyPath([...ctx.path, first, 'name']);
    s.expected(s.at(s.at(ctx, index), 'name'), 'a name no other hook uses', hook.name, ` (${other} has it too)`);
    ok = false;
  });
  return ok ? hooks : s.INVALID;
}
