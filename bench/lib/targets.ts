/**
 * Processes a scenario can be pointed at. Each target is its own process (or processes), started
 * per group and stopped after it, pinned per the CPU plan.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startChildServer, type ChildServer } from './child-server.ts';
import { pinned, type CpuPlan } from './cpu.ts';
import { nginxVersion, startNginx } from './nginx.ts';
import type { RunningTarget, TargetSpec } from './scenario.ts';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = join(import.meta.dirname, 'fixture-server.ts');
const CLI_ENTRY = join(REPO_ROOT, 'src', 'cli', 'main.ts');
const NODE_LAUNCHER = join(import.meta.dirname, 'edgehook-server.ts');

function startFixture(cpus: string | null): Promise<ChildServer> {
  const [command, args] = pinned(cpus, process.execPath, [FIXTURE]);
  return startChildServer({ command, args });
}

/** Run `start` with a fresh origin; stop the origin too if `start` fails. */
async function withOrigin(cpus: CpuPlan, start: (originUrl: string) => Promise<ChildServer>): Promise<RunningTarget> {
  const origin = await startFixture(cpus.load);
  try {
    const proxy = await start(origin.url);
    return {
      url: proxy.url,
      pid: proxy.pid,
      originStatsUrl: `${origin.url}/__stats`,
      crashReport: () => crashReport('proxy', proxy) ?? crashReport('origin', origin),
      close: async () => { await proxy.close(); await origin.close(); },
    };
  } catch (error) {
    await origin.close();
    throw error;
  }
}

function crashReport(role: string, server: ChildServer): string | null {
  const status = server.exitStatus();
  return status === null ? null : `${role} exited (${status})\n${server.stderrTail()}`;
}

/** The fixture itself, serving from memory: what a proxy in front of it is compared with. */
export const bareTarget: TargetSpec = {
  id: 'bare',
  title: 'bare node:http serving the same bytes',
  unavailable: () => null,
  start: async (cpus) => {
    const server = await startFixture(cpus.target);
    return { url: server.url, pid: server.pid, originStatsUrl: null, crashReport: () => crashReport('server', server), close: () => server.close() };
  },
};

export interface EdgehookTargetOptions {
  /**
   * Another checkout of edgehook to run instead of this one (its own bench/lib/edgehook-server.ts):
   * `--compare-with DIR` puts an earlier version beside this one in the same run.
   */
  readonly checkout?: string;
  /**
   * Point the OpenTelemetry exporters at the bench origin's no-op OTLP receiver (through
   * OTEL_EXPORTER_OTLP_ENDPOINT, as an operator would), for the tracing group.
   */
  readonly otlpToOrigin?: boolean;
}

/** edgehook via startNode in its own process; `configFile` selects a variant (hooks, tracing, …). */
export function edgehookTarget(id = 'edgehook', configFile: string | null = null, options: EdgehookTargetOptions = {}): TargetSpec {
  const extra = configFile === null ? [] : ['--config', configFile];
  return {
    id,
    title: configFile === null ? 'edgehook (startNode, defaults)' : `edgehook (startNode, ${configFile})`,
    unavailable: () => (existsSync(launcherOf(options)) ? null : `${launcherOf(options)} does not exist`),
    start: (cpus) => withOrigin(cpus, (originUrl) => {
      const [command, args] = pinned(cpus.target, process.execPath, [launcherOf(options), '--origin', originUrl, ...extra]);
      const env = withoutOtelVariables(process.env);
      if (options.otlpToOrigin === true) env.OTEL_EXPORTER_OTLP_ENDPOINT = originUrl;
      return startChildServer({ command, args, env });
    }),
  };
}

function launcherOf(options: EdgehookTargetOptions): string {
  return options.checkout === undefined ? NODE_LAUNCHER : join(options.checkout, 'bench', 'lib', 'edgehook-server.ts');
}

/** The shell's own OTEL_* settings must not turn a variant (or the baseline) into another one. */
function withoutOtelVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('OTEL_')));
}

/** edgehook through its CLI, as deployed (the CLI also starts the telemetry SDK). */
export const edgehookCliTarget: TargetSpec = {
  id: 'edgehook-cli',
  title: 'edgehook CLI serve',
  unavailable: () => (existsSync(CLI_ENTRY) ? null : 'src/cli/main.ts does not exist yet'),
  start: (cpus) => withOrigin(cpus, (originUrl) => {
    const [command, args] = pinned(cpus.target, process.execPath,
      [CLI_ENTRY, 'serve', '--origin', originUrl, '--listen', '127.0.0.1:0', '--admin', 'off', '--log-level', 'warn']);
    return startChildServer({ command, args });
  }),
};

/**
 * edgehook through its CLI with `--workers`: one process, or a primary and its workers. The
 * target's pid is the primary's, so its CPU counts the workers too (process-cpu.ts).
 */
export function edgehookWorkersTarget(workers: number | 'auto'): TargetSpec {
  return {
    id: `workers-${workers}`,
    title: `edgehook CLI serve --workers ${workers}`,
    unavailable: () => (existsSync(CLI_ENTRY) ? null : 'src/cli/main.ts does not exist yet'),
    start: (cpus) => withOrigin(cpus, (originUrl) => {
      // Info level: the "listening" line is how the harness learns the URL.
      const [command, args] = pinned(cpus.target, process.execPath,
        [CLI_ENTRY, 'serve', '--origin', originUrl, '--listen', '127.0.0.1:0', '--admin', 'off', '--workers', String(workers)]);
      return startChildServer({ command, args });
    }),
  };
}

const PLAIN_PROXY = join(import.meta.dirname, 'plain-proxy-server.ts');

/** A plain Node proxy without a cache (bench/lib/plain-proxy-server.ts), the anchor for pass-through. */
export function plainProxyTarget(kind: 'http-proxy-3' | 'undici'): TargetSpec {
  return {
    id: kind === 'undici' ? 'undici-proxy' : kind,
    title: kind === 'undici' ? 'minimal proxy: node:http + undici dispatch' : 'http-proxy-3 (no cache)',
    unavailable: () => null,
    uncached: true,
    start: (cpus) => withOrigin(cpus, (originUrl) => {
      const [command, args] = pinned(cpus.target, process.execPath, [PLAIN_PROXY, kind, originUrl]);
      return startChildServer({ command, args });
    }),
  };
}

/** nginx 1.x from apt as a caching proxy (one worker), for reference. */
export const nginxTarget: TargetSpec = {
  id: 'nginx',
  title: 'nginx caching proxy, 1 worker',
  unavailable: () => (nginxVersion() === null ? 'nginx is not installed' : null),
  start: (cpus) => withOrigin(cpus, (originUrl) => startNginx({ originUrl, upstreamKeepalive: true, cpus: cpus.target })),
};
