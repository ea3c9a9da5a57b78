/**
 * Telemetry for one loaded hook, bound once at load: its per-phase metric recorders, its span
 * name and identity attributes. The runtime makes two calls per hook call — startCall before,
 * endCall after — and neither allocates when the request is not traced (no phase span).
 */
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import type { PhaseName, PhaseVerdict } from '../pipeline/hook-seam.ts';
import type { HookCallRecorder } from './hook-metrics.ts';
import { ATTR, EVENT, SPAN } from './names.ts';
import { traceLogFields } from './request-tracing.ts';
import type { Telemetry } from './telemetry.ts';

/** A hook's log line, as the runtime collects it during a call. */
export interface HookLogRecord {
  readonly level: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** Why a call failed: a stable code (EH_HOOK_*) and a message. */
export interface HookCallFailure {
  readonly code: string;
  readonly message: string;
  /** A JS guest's stack, mapped to the author's sources, when it threw. */
  readonly guestStack?: string | undefined;
}

/**
 * Positional arguments rather than an options object: endCall runs on every hook call, traced or
 * not, and must not allocate for the untraced majority.
 */
export interface HookTelemetry {
  /** The span of one call, a child of the phase span; null when the request is not traced. */
  startCall(phase: PhaseName, phaseSpan: Span | null | undefined): Span | null;
  /**
   * Records a finished call: metrics always; the span, when there is one, gets the outcome and the
   * hook's log lines as events. `verdict` is what the phase got back — the hook's, or on_error's.
   */
  endCall(
    span: Span | null, phase: PhaseName, seconds: number, verdict: PhaseVerdict, failure: HookCallFailure | null,
    logs: readonly HookLogRecord[], logLinesDropped: number,
  ): void;
  /** A call refused without running the hook (its circuit is open): an error, but no duration. */
  recordSkipped(span: Span | null, phase: PhaseName, verdict: PhaseVerdict, failure: HookCallFailure): void;
  /** trace_id / span_id for the hook's own log lines ({} when not traced). */
  logFields(span: Span | null): Readonly<Record<string, string>>;
}

const PHASES: readonly PhaseName[] = ['on-request', 'on-origin-response', 'on-response'];

/** Binds telemetry to one hook; with no telemetry (runtime tests, tools) every call is a no-op. */
export function bindHookTelemetry(telemetry: Telemetry | undefined, hook: { name: string; sha256: string }): HookTelemetry {
  if (telemetry === undefined) return NO_HOOK_TELEMETRY;
  // Circuit state is not bound here: a hook is loaded before a reload knows whether it will serve
  // (the registry reports the serving hooks' breakers, see HookMetrics.watchCircuits).
  const recorders = new Map<PhaseName, HookCallRecorder>(PHASES.map((phase) => [phase, telemetry.hooks.recorder(hook.name, phase)]));
  const spanName = SPAN.hookPrefix + hook.name;
  const { tracing } = telemetry;

  return {
    startCall(phase, phaseSpan) {
      const span = tracing.startChild(phaseSpan ?? null, spanName);
      if (span === null) return null;
      span.setAttribute(ATTR.hookName, hook.name);
      span.setAttribute(ATTR.hookSha256, hook.sha256);
      span.setAttribute(ATTR.hookPhase, phase);
      return span;
    },
    endCall(span, phase, seconds, verdict, failure, logs, logLinesDropped) {
      recorders.get(phase)!.record(seconds, failure === null ? null : failure.code, logLinesDropped);
      if (span !== null) endCallSpan(span, verdict, failure, logs);
    },
    recordSkipped(span, phase, verdict, failure) {
      recorders.get(phase)!.recordSkipped(failure.code);
      if (span !== null) endCallSpan(span, verdict, failure, NO_LOGS);
    },
    logFields: (span) => traceLogFields(span),
  };
}

const NO_LOGS: readonly HookLogRecord[] = Object.freeze([]);

function endCallSpan(span: Span, verdict: PhaseVerdict, failure: HookCallFailure | null, logs: readonly HookLogRecord[]): void {
  // Events carry the call's end time: log lines are collected during the call and applied after.
  for (const line of logs) span.addEvent(line.message, logAttributes(line));
  if (failure === null) {
    span.setAttribute(ATTR.hookVerdict, verdict.tag);
  } else {
    // The hook failed; the phase still got an answer from on_error (continue, or a 503).
    span.setAttribute(ATTR.hookVerdict, 'error');
    span.setAttribute(ATTR.hookErrorCode, failure.code);
    span.setAttribute(ATTR.errorType, failure.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: `${failure.code}: ${failure.message}` });
    // OpenTelemetry's exception event (semantic conventions, "exceptions"), so trace UIs show it.
    span.addEvent(EVENT.exception, {
      [ATTR.exceptionType]: failure.code, [ATTR.exceptionMessage]: failure.message,
      ...(failure.guestStack === undefined ? {} : { [ATTR.exceptionStacktrace]: failure.guestStack }),
    });
  }
  if (verdict.tag === 'respond') span.setAttribute(ATTR.httpResponseStatusCode, verdict.val.status);
  span.end();
}

/** A log line as span event attributes; the hook's own field names are namespaced so they cannot clash. */
function logAttributes(line: HookLogRecord): Record<string, string> {
  const attributes: Record<string, string> = { [ATTR.hookLogLevel]: line.level };
  for (const [key, value] of Object.entries(line.fields)) attributes[ATTR.hookLogFieldPrefix + key] = value;
  return attributes;
}

const NO_HOOK_TELEMETRY: HookTelemetry = Object.freeze({
  startCall: () => null,
  endCall: () => {},
  recordSkipped: () => {},
  logFields: () => ({}),
});
