/**
 * Active health checks of the shield tier's parents: a GET of each parent's health URL (its
 * admin /healthz, which answers 503 while that node drains or is not ready) every interval, on
 * one small undici Agent of its own so checks never queue behind fills in a parent's pool. A
 * check that is still running when the next is due is not doubled; timers are unref'd so they
 * never hold a process open, and stop() ends them and the Agent.
 */
import { Agent, request } from 'undici';

export interface HealthTarget {
  readonly id: string;
  readonly url: string;
}

export interface HealthCheckOptions {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Told of every check's result; `reason` says what a failed one saw ("status 503", "ECONNREFUSED"). */
  readonly onResult: (id: string, healthy: boolean, reason: string) => void;
}

export interface HealthChecks {
  stop(): Promise<void>;
}

export function startHealthChecks(targets: readonly HealthTarget[], options: HealthCheckOptions): HealthChecks {
  // One connection per parent is plenty for one request per interval.
  const agent = new Agent({ connections: 1, connectTimeout: options.timeoutMs, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const checkOnce = async (target: HealthTarget): Promise<void> => {
    let healthy = false;
    let reason: string;
    try {
      const response = await request(target.url, { dispatcher: agent, signal: AbortSignal.timeout(options.timeoutMs) });
      await response.body.dump();
      healthy = response.statusCode >= 200 && response.statusCode < 300;
      reason = `status ${response.statusCode}`;
    } catch (error) {
      reason = describe(error);
    }
    if (!stopped) options.onResult(target.id, healthy, reason);
  };

  const schedule = (target: HealthTarget, delayMs: number): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void checkOnce(target).finally(() => {
        if (!stopped) schedule(target, options.intervalMs);
      });
    }, delayMs);
    timer.unref();
    timers.add(timer);
  };

  for (const target of targets) schedule(target, 0);
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await agent.destroy();
    },
  };
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | null);
  const found = typeof code?.code === 'string' ? code.code : typeof code?.cause?.code === 'string' ? code.cause.code : undefined;
  if (found !== undefined) return found;
  return error instanceof Error ? error.name : 'error';
}
