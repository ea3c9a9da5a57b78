/**
 * A loaded, validated hook: its prepared guest, instance pool, circuit breaker and stats. invoke()
 * is the one place the failure policy lives: any failure (timeout, trap, bad verdict, oversized
 * output, tripped circuit) discards the instance, logs a stable code and answers with on_error —
 * closed: a 503 naming the hook; open: continue as if the hook were absent.
 */
import type { Span } from '@opentelemetry/api';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { HookRequestState, HookResponseState, PhaseName, PhaseVerdict } from '../pipeline/hook-seam.ts';
import { DEFAULT_TRANSFORM_BOUNDS, type TransformBounds } from '../attributes/transform-spec.ts';
import { CircuitBreaker, DEFAULT_CIRCUIT, type CircuitState } from './circuit-breaker.ts';
import type { GuestInstance } from './direct-instance.ts';
import { hookReads, type HookReads } from './guest-imports.ts';
import { hookConfigText, type HookConfig } from './hook-config.ts';
import { HookCallState, type HookCallSettings } from './hook-call-state.ts';
import { HookFailure, toHookFailure } from './hook-failure.ts';
import { InstancePool } from './instance-pool.ts';
import { LatencyStats } from './latency-stats.ts';
import { bindHookTelemetry } from '../telemetry/hook-tracing.ts';
import type { Telemetry } from '../telemetry/telemetry.ts';

/** A prepared guest of any kind; the pipeline cannot tell them apart. */
export interface PreparedGuest {
  readonly kind: 'direct' | 'jco';
  readonly sha256: string;
  /** Phases the component exports. */
  readonly phases: readonly PhaseName[];
  /** Contract functions the component imports ("request/geo"; "request/*" = all), read at load. */
  readonly imports: ReadonlySet<string>;
  createInstance(settings: HookCallSettings): GuestInstance | Promise<GuestInstance>;
}

export interface HookInfo {
  readonly name: string;
  /** SHA-256 of the module bytes: the version. */
  readonly sha256: string;
  readonly kind: 'direct' | 'jco';
  readonly phases: readonly PhaseName[];
  readonly calls: number;
  readonly errors: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
  readonly circuit: CircuitState;
  readonly instancesCreated: number;
}

export interface LoadedHook {
  readonly name: string;
  readonly config: HookConfig;
  readonly sha256: string;
  /** Whether its component imports request.geo / response.image (so the route must provide them). */
  readonly reads: HookReads;
  /** `phaseSpan`: the pipeline's span for the phase; the call's own span is made a child of it. */
  invoke(phase: PhaseName, request: HookRequestState, response: HookResponseState | null, phaseSpan?: Span | null): Promise<PhaseVerdict>;
  /** Its circuit breaker's state now (read by /metrics at collection). */
  circuit(): CircuitState;
  info(): HookInfo;
}

const CONTINUE: PhaseVerdict = Object.freeze({ tag: 'continue' });

function failureResponse(name: string, code: string): PhaseVerdict {
  return {
    tag: 'respond',
    val: {
      status: 503,
      headers: [['content-type', 'text/plain; charset=utf-8'], ['cache-control', 'no-store'], ['x-edgehook-error', code]],
      body: Buffer.from(`hook "${name}" failed (${code})\n`),
    },
  };
}

export async function createLoadedHook(
  config: HookConfig, guest: PreparedGuest,
  deps: { logger: Logger; clock: Clock; telemetry?: Telemetry; transformBounds?: TransformBounds },
): Promise<LoadedHook> {
  const logger = deps.logger.child({ hook: config.name, version: guest.sha256.slice(0, 12) });
  const settings: HookCallSettings = {
    name: config.name, config: hookConfigText(config.config), logger,
    requestBodyMax: config.body.request ?? 0, responseBodyMax: config.body.response ?? 0,
    transformBounds: deps.transformBounds ?? DEFAULT_TRANSFORM_BOUNDS,
  };
  const pool = new InstancePool(() => guest.createInstance(settings), config.isolation);
  await pool.warm(); // instantiation errors surface at load, not on the first request
  const circuit = config.circuit;
  const breaker = new CircuitBreaker(circuit === undefined ? DEFAULT_CIRCUIT
    : { failures: circuit.failures, windowMs: circuit.window_ms, cooldownMs: circuit.cooldown_ms }, deps.clock);
  const stats = new LatencyStats();
  // Spans and metrics per call: bound here once, so a call only passes numbers (src/telemetry).
  const telemetry = bindHookTelemetry(deps.telemetry, { name: config.name, sha256: guest.sha256 });

  const fail = (phase: PhaseName, failure: HookFailure, span: Span | null): PhaseVerdict => {
    const fields = {
      code: failure.code, phase, on_error: config.on_error, error: failure.message,
      ...(failure.guestStack === undefined ? {} : { stack: failure.guestStack }), ...telemetry.logFields(span),
    };
    if (failure.code === 'EH_HOOK_CIRCUIT_OPEN') logger.debug('hook skipped: circuit open', fields);
    else logger.warn('hook failed', fields);
    return config.on_error === 'open' ? CONTINUE : failureResponse(config.name, failure.code);
  };

  const invoke = async (
    phase: PhaseName, request: HookRequestState, response: HookResponseState | null, phaseSpan?: Span | null,
  ): Promise<PhaseVerdict> => {
    const span = telemetry.startCall(phase, phaseSpan);
    if (!breaker.allow()) {
      const failure = new HookFailure('EH_HOOK_CIRCUIT_OPEN', 'circuit open');
      const verdict = fail(phase, failure, span);
      telemetry.recordSkipped(span, phase, verdict, failure);
      return verdict;
    }
    const started = performance.now();
    let instance: GuestInstance | undefined;
    let state: HookCallState | undefined;
    try {
      // No await unless something is really asynchronous: each costs a microtask on the hot path.
      const acquired = pool.acquire();
      instance = acquired instanceof Promise ? await acquired : acquired;
      state = new HookCallState(phase, settings, request, response);
      if (span !== null) state.traceFields = telemetry.logFields(span);
      const called = instance.call(phase, state, config.timeout_ms);
      const verdict = called instanceof Promise ? await called : called;
      state.commit();
      pool.release(instance);
      breaker.success();
      const micros = (performance.now() - started) * 1000;
      stats.record(micros, false);
      telemetry.endCall(span, phase, micros / 1e6, verdict, null, state.logs);
      return verdict;
    } catch (error) {
      // The instance is dropped, never released: after a trap its state cannot be trusted.
      breaker.failure();
      const micros = (performance.now() - started) * 1000;
      stats.record(micros, true);
      const failure = toHookFailure(error);
      const verdict = fail(phase, failure, span);
      telemetry.endCall(span, phase, micros / 1e6, verdict, failure, state?.logs ?? []);
      return verdict;
    }
  };

  return {
    name: config.name, config, sha256: guest.sha256, reads: hookReads(guest.imports, config.phases), invoke,
    circuit: () => breaker.state,
    info: () => ({
      name: config.name, sha256: guest.sha256, kind: guest.kind, phases: config.phases,
      calls: stats.calls, errors: stats.errors, p50Micros: stats.percentile(50), p99Micros: stats.percentile(99),
      circuit: breaker.state, instancesCreated: pool.created,
    }),
  };
}
