/**
 * The `hooks:` list. Validation is deliberately light for now: the hook runtime owns what a
 * module must export and will refine these fields (add a key to `hookShape` and to HookConfig;
 * the compile-time check in this file fails until both agree).
 */
import type { PhaseName } from '../pipeline/hook-seam.ts';
import * as s from './dsl/index.ts';

export const HOOK_PHASES = ['on-request', 'on-origin-response', 'on-response'] as const satisfies readonly PhaseName[];
export const HOOK_ON_ERROR = ['fail-closed', 'fail-open'] as const;
export const HOOK_BODY = ['none', 'request', 'response', 'both'] as const;
export const HOOK_ISOLATION = ['per-request', 'pooled'] as const;

export interface HookConfig {
  /** Unique within the list; used in logs, metrics and errors. */
  readonly name: string;
  /** Absolute path to the module (relative paths are resolved against the config file's directory). */
  readonly module: string;
  /** Phases to run in; [] = every phase the module exports. */
  readonly phases: readonly PhaseName[];
  /** Route patterns the hook applies to; [] = every route. */
  readonly routes: readonly string[];
  /** Free-form settings handed to the hook when it is instantiated. */
  readonly config: Readonly<Record<string, s.JsonValue>>;
  /** What a failing hook (trap, timeout, bad verdict) does to the request. */
  readonly onError: (typeof HOOK_ON_ERROR)[number];
  /** Deadline for one hook call. */
  readonly timeoutMs: s.Millis;
  /** Memory limit for one hook instance, in MiB. */
  readonly memoryMb: number;
  /** Which bodies the hook needs buffered (bounded by limits.max_body_bytes / cache.max_object_bytes). */
  readonly body: (typeof HOOK_BODY)[number];
  /** Whether each request gets a fresh instance or instances are reused. */
  readonly isolation: (typeof HOOK_ISOLATION)[number];
}

const hookShape = {
  name: s.string({
    doc: 'Unique name of the hook, used in logs, metrics and error messages.',
    pattern: { regex: /^[a-z0-9][a-z0-9._-]*$/i, label: 'a hook name like "auth" (letters, digits, ".", "_", "-")' },
  }),
  module: s.path({ doc: 'Path to the hook module (a Wasm component, or a native ES module); relative to the config file.' }),
  phases: s.array(s.enumOf(HOOK_PHASES, { doc: 'A request lifecycle phase.' }), {
    doc: 'Phases the hook runs in. Request phases run hooks in list order, response phases in reverse. [] = every phase the module exports.',
    default: [],
  }),
  routes: s.array(s.string({ doc: 'A route pattern.' }), { doc: 'Route patterns the hook applies to. [] = every route.', default: [] }),
  config: s.record(s.json({ doc: 'Any JSON value.' }), { doc: 'Free-form settings passed to the hook when it is instantiated.' }),
  on_error: s.enumOf(HOOK_ON_ERROR, {
    doc: 'What a failing hook (trap, timeout, invalid verdict) does: fail-closed answers 503 (EH_HOOK_FAILED); fail-open continues as if the hook had returned "continue".',
    default: 'fail-closed',
  }),
  timeout_ms: s.duration({ doc: 'Deadline for one hook call (milliseconds, or a duration like "50ms").', default: '50ms', min: 1, max: 60_000 }),
  memory_mb: s.int({ doc: 'Memory limit for one hook instance, in MiB.', default: 32, min: 1, max: 4096 }),
  body: s.enumOf(HOOK_BODY, { doc: 'Which bodies the hook needs buffered; buffering is bounded. "none" streams bodies past the hook.', default: 'none' }),
  isolation: s.enumOf(HOOK_ISOLATION, {
    doc: 'per-request: a fresh instance for every request (no state leaks between requests); pooled: instances are reused.',
    default: 'per-request',
  }),
};

const hookField = s.object(hookShape, { doc: 'One hook.' });

export const hooksField: s.Field<readonly HookConfig[]> = s.map(
  s.array(hookField, { doc: 'Hooks, in the order request phases run them.', default: [] }),
  rejectDuplicateNames,
);

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

/** Fails to compile when the schema and HookConfig disagree. */
export type HookSchemaMatches = s.SameShape<s.FieldValue<typeof hookField>, HookConfig>;
