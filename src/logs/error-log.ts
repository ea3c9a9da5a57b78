/**
 * The error log: every origin, hook and store failure and every refused request is logged once
 * with its stable code (src/errors.ts) and trace id — and rate-limited per code. An origin that
 * is down fails every request; without a bound its lines would cost more than the requests and
 * bury everything else. So each code may write `burst` lines per window; the rest are counted,
 * and when the window ends one line reports them ("errors suppressed", the code, how many): an
 * operator sees the scale without the flood.
 *
 * It is a Logger: the node hands it to the parts whose lines carry a `code` (pipeline, store,
 * hook runtime, listeners). Lines without a code ("listening", "stopped") and debug lines pass
 * straight through.
 */
import type { LogFields, Logger, LogLevel } from '../log.ts';

export interface ErrorLog {
  /** The node's logger with per-code rate limiting. */
  readonly logger: Logger;
  /** Reports what is still counted, and stops the timers. */
  close(): void;
}

export interface ErrorLogLimits {
  readonly burst: number;
  readonly windowMs: number;
}

interface CodeWindow {
  start: number;
  written: number;
  suppressed: number;
  timer: NodeJS.Timeout | null;
}

export function createErrorLog(base: Logger, limits: ErrorLogLimits, now: () => number = () => performance.now()): ErrorLog {
  // Keyed by stable code: a bounded set (the catalogs), so the map is bounded too.
  const windows = new Map<string, CodeWindow>();
  const flush = (code: string, window: CodeWindow): void => {
    if (window.timer !== null) clearTimeout(window.timer);
    window.timer = null;
    if (window.suppressed === 0) return;
    base.warn('errors suppressed', { code, suppressed: window.suppressed, window_ms: limits.windowMs });
    window.suppressed = 0;
  };
  /** Whether a line of `code` may be written now; if not, it is counted. */
  const admit = (code: string): boolean => {
    const t = now();
    let window = windows.get(code);
    if (window === undefined) windows.set(code, (window = { start: t, written: 0, suppressed: 0, timer: null }));
    if (t - window.start >= limits.windowMs) {
      flush(code, window);
      window.start = t;
      window.written = 0;
    }
    if (window.written < limits.burst) {
      window.written++;
      return true;
    }
    window.suppressed++;
    if (window.timer === null) {
      const w = window;
      w.timer = setTimeout(() => flush(code, w), Math.max(1, w.start + limits.windowMs - t));
      w.timer.unref();
    }
    return false;
  };
  const limited = (logger: Logger): Logger => {
    const gate = (level: Exclude<LogLevel, 'debug'>) => (msg: string, fields?: LogFields): void => {
      const code = fields?.code;
      if (typeof code !== 'string' || admit(code)) logger[level](msg, fields);
    };
    return {
      debug: (msg, fields) => logger.debug(msg, fields),
      info: gate('info'),
      warn: gate('warn'),
      error: gate('error'),
      child: (fields) => limited(logger.child(fields)),
    };
  };
  return {
    logger: limited(base),
    close() {
      for (const [code, window] of windows) flush(code, window);
    },
  };
}
