/**
 * Phase chains over loaded hooks. Request phases run in configuration order, response phases in
 * reverse (Envoy's rule); the first verdict other than `continue` ends the phase.
 */
import type { Span } from '@opentelemetry/api';
import type {
  HookRequestState, HookResponseState, PhaseName, PhaseVerdict, RequestPhaseChain, ResponsePhaseChain,
} from '../pipeline/hook-seam.ts';
import type { LoadedHook } from './loaded-hook.ts';

const CONTINUE: PhaseVerdict = Object.freeze({ tag: 'continue' });

export function requestChain(hooks: readonly LoadedHook[]): RequestPhaseChain | null {
  if (hooks.length === 0) return null;
  return Object.freeze({
    async run(request: HookRequestState, phaseSpan?: Span | null): Promise<PhaseVerdict> {
      for (const hook of hooks) {
        const verdict = await hook.invoke('on-request', request, null, phaseSpan);
        if (verdict.tag !== 'continue') return verdict;
      }
      return CONTINUE;
    },
  });
}

/** `hooks` in configuration order; they run in reverse. */
export function responseChain(phase: PhaseName, hooks: readonly LoadedHook[]): ResponsePhaseChain | null {
  if (hooks.length === 0) return null;
  const reversed = [...hooks].reverse();
  return Object.freeze({
    async run(request: HookRequestState, response: HookResponseState, phaseSpan?: Span | null): Promise<PhaseVerdict> {
      for (const hook of reversed) {
        const verdict = await hook.invoke(phase, request, response, phaseSpan);
        if (verdict.tag !== 'continue') return verdict;
      }
      return CONTINUE;
    },
  });
}
