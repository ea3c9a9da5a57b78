/**
 * What varnishstat and nginx's stub_status tell an SRE about the process itself: CPU time,
 * resident memory, how late the event loop runs (the p99 of its delay since the previous
 * scrape: a node whose loop lags answers everything late), and the requests and client
 * connections open right now. Read at scrape time only; the loop-delay sampler is Node's own
 * (perf_hooks, a timer every 20 ms), the rest are plain reads.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProcessSnapshot {
  readonly cpuSeconds: number;
  readonly residentBytes: number;
  /** p99 of the event loop's delay since the previous snapshot. */
  readonly eventLoopDelayP99Seconds: number;
  readonly requestsInFlight: number;
  readonly clientConnections: number;
}

/** Requests being answered and client connections open, from the listener. */
export interface ListenerLoad {
  readonly requests: number;
  readonly connections: number;
}

export interface ProcessMetrics {
  snapshot(): ProcessSnapshot;
  stop(): void;
}

export function createProcessMetrics(load: () => ListenerLoad): ProcessMetrics {
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  return {
    snapshot() {
      const { user, system } = process.cpuUsage();
      const p99 = delay.count === 0 ? 0 : delay.percentile(99) / 1e9;
      delay.reset();
      const { requests, connections } = load();
      return {
        cpuSeconds: (user + system) / 1e6,
        residentBytes: process.memoryUsage.rss(),
        eventLoopDelayP99Seconds: p99,
        requestsInFlight: requests,
        clientConnections: connections,
      };
    },
    stop: () => delay.disable(),
  };
}

/** A node's processes together (its workers): CPU, memory and load add up; the loop delay is the worst one's. */
export function sumProcesses(a: ProcessSnapshot, b: ProcessSnapshot): ProcessSnapshot {
  return {
    cpuSeconds: a.cpuSeconds + b.cpuSeconds,
    residentBytes: a.residentBytes + b.residentBytes,
    eventLoopDelayP99Seconds: Math.max(a.eventLoopDelayP99Seconds, b.eventLoopDelayP99Seconds),
    requestsInFlight: a.requestsInFlight + b.requestsInFlight,
    clientConnections: a.clientConnections + b.clientConnections,
  };
}
