/**
 * Which parents of the shield tier may be asked right now. Two signals, as Envoy combines
 * outlier detection with active health checking:
 * - passive: `ejectAfter` consecutive failures of real fetches (connection errors, timeouts, the
 *   parent's own 5xx: parent-answer.ts) eject a parent for `ejectForMs`;
 * - active: a failed check of its health URL ejects it until a check passes, and a passing check
 *   also ends a passive ejection early (Envoy's `successful_active_health_check_uneject_host`,
 *   on by default there too): the check is the better-informed signal of the two.
 * Without a health URL a passively ejected parent comes back when its time is up; the next real
 * fetch then tests it, and one more failure run ejects it again.
 * Pure state over an injected clock; the checks themselves run in health-checks.ts.
 */
import type { Clock } from '../clock.ts';

export interface ParentHealthPolicy {
  readonly ejectAfter: number;
  readonly ejectForMs: number;
}

export type HealthChange =
  | { readonly event: 'ejected'; readonly cause: 'failures' | 'health-check'; readonly reason: string }
  | { readonly event: 'readmitted'; readonly cause: 'expired' | 'health-check' };

export interface ParentHealth {
  isAvailable(id: string): boolean;
  /** A fetch the parent answered for itself. */
  succeeded(id: string): void;
  /** A fetch the parent failed; `reason` is logged with an ejection. */
  failed(id: string, reason: string): void;
  /** The result of one active check. */
  checked(id: string, healthy: boolean, reason: string): void;
}

interface State {
  failures: number;
  /** Monotonic ms until which a passive ejection lasts; 0 = none. */
  passiveUntil: number;
  activeDown: boolean;
  /** Whether the parent was last reported ejected (so each change is reported once). */
  reportedOut: boolean;
}

export function createParentHealth(
  ids: readonly string[], policy: ParentHealthPolicy, clock: Pick<Clock, 'monotonic'>, onChange: (id: string, change: HealthChange) => void,
): ParentHealth {
  const states = new Map<string, State>(ids.map((id) => [id, { failures: 0, passiveUntil: 0, activeDown: false, reportedOut: false }]));
  const stateOf = (id: string): State => {
    const state = states.get(id);
    if (state === undefined) throw new Error(`unknown parent ${id}`);
    return state;
  };
  const report = (id: string, state: State, change: HealthChange): void => {
    state.reportedOut = change.event === 'ejected';
    onChange(id, change);
  };
  const isAvailable = (id: string): boolean => {
    const state = stateOf(id);
    if (state.activeDown) return false;
    if (state.passiveUntil === 0) return true;
    if (clock.monotonic() < state.passiveUntil) return false;
    state.passiveUntil = 0;
    if (state.reportedOut) report(id, state, { event: 'readmitted', cause: 'expired' });
    return true;
  };
  return {
    isAvailable,
    succeeded(id) {
      stateOf(id).failures = 0;
    },
    failed(id, reason) {
      const state = stateOf(id);
      state.failures++;
      if (state.failures < policy.ejectAfter || !isAvailable(id)) return;
      state.failures = 0;
      state.passiveUntil = clock.monotonic() + policy.ejectForMs;
      report(id, state, { event: 'ejected', cause: 'failures', reason });
    },
    checked(id, healthy, reason) {
      const state = stateOf(id);
      if (!healthy) {
        const wasOut = state.reportedOut;
        state.activeDown = true;
        if (!wasOut) report(id, state, { event: 'ejected', cause: 'health-check', reason });
        return;
      }
      const wasOut = state.activeDown || state.passiveUntil !== 0;
      state.activeDown = false;
      state.passiveUntil = 0;
      state.failures = 0;
      if (wasOut && state.reportedOut) report(id, state, { event: 'readmitted', cause: 'health-check' });
    },
  };
}
