/**
 * Phase chains over loaded hooks. Request phases run in configuration order, response phases in
 * reverse (Envoy's rule); the first verdict other than `continue` ends the phase.
 */
import type { Span } from '@opentelemetry/api';
import type {
  HookRequestState, HookResponseState, MaybePromise, PhaseName, PhaseVerdict, RequestPhaseChain, ResponsePhaseChain,
} from '../pipeline/hook-seam.ts';
import type { LoadedHook } from './loaded-hook.ts';

const CONTINUE: PhaseVerdict = Object.freeze({ tag: 'continue' });

type Invoke = (hook: LoadedHook) => MaybePromise<PhaseVerdict>;

export function requestChain(hooks: readonly LoadedHook[]): RequestPhaseChain | null {
  if (hooks.length === 0) return null;
  return Object.freeze({
    run(request: HookRequestState, phaseSpan?: Span | null, skip?: ReadonlySet<string>): MaybePromise<PhaseVerdict> {
      return runFrom(hooks, 0, (hook) => hook.invoke('on-request', request, null, phaseSpan), skip);
    },
  });
}

/** `hooks` in configuration order; they run in reverse. */
export function responseChain(phase: PhaseName, hooks: readonly LoadedHook[]): ResponsePhaseChain | null {
  if (hooks.length === 0) return null;
  const reversed = [...hooks].reverse();
  return Object.freeze({
    run(request: HookRequestState, response: HookResponseState, phaseSpan?: Span | null, skip?: ReadonlySet<string>): MaybePromise<PhaseVerdict> {
      return runFrom(reversed, 0, (hook) => hook.invoke(phase, request, response, phaseSpan), skip);
    },
  });
}

/**
 * Calls hooks[from..] in order until one answers other than `continue`, passing over the hooks
 * named in `skip`. Stays synchronous while the hooks do; from the first hook that returns a
 * promise, the rest run after it settles.
 */
function runFrom(hooks: readonly LoadedHook[], from: number, invoke: Invoke, skip: ReadonlySet<string> | undefined): MaybePromise<PhaseVerdict> {
  for (let i = from; i < hooks.length; i++) {
    if (skip !== undefined && skip.has(hooks[i]!.name)) continue;
    const verdict = invoke(hooks[i]!);
    if (verdict instanceof Promise) return verdict.then((settled) => (settled.tag === 'continue' ? runFrom(hooks, i + 1, invoke, skip) : settled));
    if (verdict.tag !== 'continue') return verdict;
  }
  return CONTINUE;
}
