/**
 * A loaded, validated hook: its prepared guest, instance pool, circuit breaker and stats. invoke()
 * is the one place the failure policy lives: any failure (timeout, trap, bad verdict, oversized
 * output, tripped circuit) discards the instance, logs a stable code and answers with on_error —
 * closed: a 503 naming the hook; open: continue as if the hook were absent.
 */
import type { Span } from '@opentelemetry/api';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { HookRequestState, HookResponseState, MaybePromise, PhaseName, PhaseVerdict } from '../pipeline/hook-seam.ts';
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
  /** direct canonical-ABI binding, jco-transpiled component, or a proxy-wasm filter (src/hook-runtime/proxy-wasm). */
  readonly kind: GuestKind;
  /** proxy-wasm filters: the ABI version their marker export names ("0.2.1"). */
  readonly abi?: string;
  readonly sha256: string;
  /** Phases the component exports. */
  readonly phases: readonly PhaseName[];
  /** Contract functions the component imports ("request/geo"; "request/*" = all), read at load. */
  readonly imports: ReadonlySet<string>;
  createInstance(settings: HookCallSettings): GuestInstance | Promise<GuestInstance>;
}

export type GuestKind = 'direct' | 'jco' | 'proxy-wasm';

export interface HookInfo {
  readonly name: string;
  /** SHA-256 of the module bytes: the version. */
  readonly sha256: string;
  readonly kind: GuestKind;
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
  /** A verdict at once when the guest answered synchronously, else a promise of it. */
  invoke(phase: PhaseName, request: HookRequestState, response: HookResponseState | null, phaseSpan?: Span | null): MaybePromise<PhaseVerdict>;
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

  /** One call's facts, shared by its synchronous and asynchronous endings. */
  interface Call {
    readonly phase: PhaseName;
    readonly span: Span | null;
    readonly started: number;
    state: HookCallState | undefined;
  }

  const failed = (call: Call, error: unknown): PhaseVerdict => {
    // The instance is dropped, never released: after a trap its state cannot be trusted.
    breaker.failure();
    const micros = (performance.now() - call.started) * 1000;
    stats.record(micros, true);
    const failure = toHookFailure(error);
    const verdict = fail(call.phase, failure, call.span);
    telemetry.endCall(call.span, call.phase, micros / 1e6, verdict, failure, call.state?.logs ?? [], call.state?.logLinesDropped ?? 0);
    return verdict;
  };

  const succeeded = (call: Call, instance: GuestInstance, verdict: PhaseVerdict): PhaseVerdict => {
    try {
      call.state!.commit();
    } catch (error) {
      return failed(call, error);
    }
    pool.release(instance);
    breaker.success();
    const micros = (performance.now() - call.started) * 1000;
    stats.record(micros, false);
    telemetry.endCall(call.span, call.phase, micros / 1e6, verdict, null, call.state!.logs, call.state!.logLinesDropped);
    return verdict;
  };

  const callInstance = (call: Call, instance: GuestInstance, request: HookRequestState, response: HookResponseState | null): MaybePromise<PhaseVerdict> => {
    try {
      const state = new HookCallState(call.phase, settings, request, response);
      call.state = state;
      if (call.span !== null) state.traceFields = telemetry.logFields(call.span);
      const called = instance.call(call.phase, state, config.timeout_ms);
      if (called instanceof Promise) return called.then((verdict) => succeeded(call, instance, verdict), (error: unknown) => failed(call, error));
      return succeeded(call, instance, called);
    } catch (error) {
      return failed(call, error);
    }
  };

  // Synchronous whenever the guest is (the AssemblyScript path, a pooled instance): a promise and
  // a microtask per call per phase were a tenth of a hooked cache hit (docs/performance.md).
  const invoke = (
    phase: PhaseName, request: HookRequestState, response: HookResponseState | null, phaseSpan?: Span | null,
  ): MaybePromise<PhaseVerdict> => {
    const span = telemetry.startCall(phase, phaseSpan);
    if (!breaker.allow()) {
      const failure = new HookFailure('EH_HOOK_CIRCUIT_OPEN', 'circuit open');
      const verdict = fail(phase, failure, span);
      telemetry.recordSkipped(span, phase, verdict, failure);
      return verdict;
    }
    const call: Call = { phase, span, started: performance.now(), state: undefined };
    try {
      const acquired = pool.acquire();
      if (acquired instanceof Promise) {
        return acquired.then((instance) => callInstance(call, instance, request, response), (error: unknown) => failed(call, error));
      }
      return callInstance(call, acquired, request, response);
    } catch (error) {
      return failed(call, error);
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
