/**
 * Load shedding at the front door: a request that would only queue — past the bound on requests
 * in flight, or while the event loop lags so far behind that it could not be answered in time —
 * gets a fast 503 with Retry-After before it costs memory or a hook call (fastify's
 * under-pressure and Envoy's overload manager do the same). Requests already accepted go on.
 *
 * Event-loop delay is read from Node's own sampler (perf_hooks.monitorEventLoopDelay): the node
 * sheds while the mean delay of two half-second windows in a row is over the bound, so one long
 * pause (a GC, a module compile) does not shed the backlog it left, while a loop that is behind
 * all the time sheds within a second.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeRefusal } from './refusal.ts';

export type ShedReason = 'in-flight' | 'event-loop';

export interface LoadLimits {
  /** null = no bound. */
  readonly maxInFlight: number | null;
  /** null = never shed on event-loop delay. */
  readonly maxEventLoopDelayMs: number | null;
}

export interface LoadShedder {
  /** Why a new request must be shed now, given how many are in flight (itself included), or null. */
  reason(inFlight: number): ShedReason | null;
  stop(): void;
}

const EVENT_LOOP_WINDOW_MS = 500;

export function createLoadShedder(limits: LoadLimits): LoadShedder {
  let lagging = false;
  let stop = (): void => {};
  if (limits.maxEventLoopDelayMs !== null) {
    const thresholdNs = limits.maxEventLoopDelayMs * 1e6;
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    let previousOver = false;
    const timer = setInterval(() => {
      const over = delay.count > 0 && delay.mean > thresholdNs;
      lagging = over && previousOver;
      previousOver = over;
      delay.reset();
    }, EVENT_LOOP_WINDOW_MS);
    timer.unref();
    stop = () => {
      clearInterval(timer);
      delay.disable();
    };
  }
  const maxInFlight = limits.maxInFlight ?? Infinity;
  return {
    reason: (inFlight) => (inFlight > maxInFlight ? 'in-flight' : lagging ? 'event-loop' : null),
    stop: () => stop(),
  };
}

/**
 * The 503 a shed request gets. A request with a body is answered without reading it, so its
 * connection closes rather than drain an upload nobody will use.
 */
export function answerShed(req: IncomingMessage, res: ServerResponse, cacheStatus: string): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
  const refusal = { status: 503, reason: 'overloaded: try again shortly', headers: { 'retry-after': '1', 'cache-status': cacheStatus } };
  writeRefusal(res, refusal, hasBody);
}
