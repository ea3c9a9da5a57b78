/**
 * The primary of a node with workers. It stays small — no pipeline, no hooks, no caches: it forks
 * the workers (worker-pool.ts), which all take connections on the one listen address (node:cluster
 * hands each new connection to the next worker; see README, "Running on every core"), replaces
 * any that exits, owns the admin API and answers it for the whole node (node-backend.ts), and
 * reloads the config: SIGHUP or POST /reload re-reads the file, refuses an invalid one without
 * touching anything (the error names the key), and otherwise replaces the workers one by one.
 */
import { createAdminHandler, type AdminAnswer, type AdminBackend } from '../admin/admin-server.ts';
import type { EdgehookConfig } from '../config/types.ts';
import { formatHostPort } from '../config/parse-host-port.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { startHttpServer, type ListeningServer } from '../server/http-server.ts';
import { describeListenError } from '../server/listen-error.ts';
import { createNodeBackend } from './node-backend.ts';
import { resolveWorkerCount } from './worker-count.ts';
import { WorkerStartError } from './worker-handle.ts';
import { startWorkerPool } from './worker-pool.ts';
import { createPoolFleetTarget } from './pool-fleet-target.ts';
import type { FleetFollower } from '../fleet/fleet-follower.ts';
import { systemClock } from '../clock.ts';
import { join } from 'node:path';

export interface PrimaryOptions {
  /** Validated; `workers` says how many (the CLI starts a primary only for more than one). */
  readonly config: EdgehookConfig;
  readonly logger: Logger;
  /** Reads the config file again, with the same command-line flags; throws a ConfigError naming each bad key. */
  readonly rereadConfig: () => Promise<EdgehookConfig>;
}

export interface EdgehookPrimary {
  readonly url: string;
  readonly adminUrl: string | null;
  /** Re-reads and applies the config (SIGHUP, POST /reload). */
  reload(): Promise<AdminAnswer>;
  /** Passes SIGUSR1 to every worker, each of which reopens its access-log file. */
  reopenLogs(): void;
  /** Stops every worker gracefully (in-flight requests finish within the grace period), then the admin API. */
  close(graceMs?: number): Promise<void>;
}

export async function startPrimary(options: PrimaryOptions): Promise<EdgehookPrimary> {
  const { logger } = options;
  let config = options.config;
  const count = resolveWorkerCount(config.workers);
  // The primary follows the fleet for its workers; the cursor is read before they open the store.
  const fleetModule = config.fleet === null ? null : await import('../fleet/start-fleet.ts');
  const fleetCursor = fleetModule === null || config.fleet === null ? null : await fleetModule.openNodeFleetCursor({ ...config, fleet: config.fleet }, systemClock);
  let fleet: FleetFollower | null = null;
  /** Workers never open the admin API nor Redis: the primary answers and follows for them. They run the fleet's deploys. */
  const forWorkers = (source: EdgehookConfig): EdgehookConfig => Object.freeze({ ...source, admin: null, fleet: null, hooks: fleet?.hooksFor(source.hooks) ?? source.hooks });
  // The admin address is bound first: a busy or forbidden one stops startup before a worker is
  // forked. Until the workers are up it answers 503 (health: starting).
  let backend: AdminBackend | null = null;
  const admin = await startAdmin(config, deferredBackend(() => backend), logger).catch((error: unknown) => {
    throw config.admin === null ? error : describeListenError(error, config.admin, { key: 'admin', flag: '--admin' });
  });
  const pool = await startWorkerPool(forWorkers(config), count, { logger }).catch(async (error: unknown) => {
    await admin?.shutdown(0);
    // A worker refusing the config (a hook module that does not load) is the operator's to fix,
    // reported like any config error: the message alone.
    if (error instanceof WorkerStartError && error.configRefused) throw new ConfigError(error.reason);
    throw error;
  });
  const url = await pool.workers()[0]!.ready;
  let stopping = false;

  async function reload(): Promise<AdminAnswer> {
    if (stopping) return { status: 503, body: { ok: false, error: 'the node is stopping' } };
    let next: EdgehookConfig;
    try {
      next = await options.rereadConfig();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      logger.warn('config reload refused: the running config stays', { code: 'EH_CONFIG', error: error.message });
      return { status: 422, body: { ok: false, error: error.message } };
    }
    const workers = resolveWorkerCount(next.workers);
    logger.info('config reload: replacing workers one by one', { workers });
    const outcome = await pool.replaceAll(forWorkers(next), workers);
    if (!outcome.ok) {
      return { status: outcome.reason === 'busy' ? 409 : outcome.reason === 'config' ? 422 : 500, body: { ok: false, error: outcome.error } };
    }
    // The admin listener is this process's own: moving it takes a restart.
    const notApplied = sameAdmin(config, next) ? [] : ['admin'];
    config = next;
    const listening = await pool.workers()[0]!.ready;
    logger.info('config reloaded', { workers, url: listening, ...(notApplied.length === 0 ? {} : { not_applied: notApplied }) });
    return { status: 200, body: { ok: true, workers, url: listening, ...(notApplied.length === 0 ? {} : { notApplied }) } };
  }

  try {
    if (fleetModule !== null && fleetCursor !== null && config.fleet !== null) {
      fleet = await fleetModule.startNodeFleet({
        fleet: config.fleet, cursor: fleetCursor, logger, clock: systemClock, hookCacheDir: join(process.cwd(), '.cache'),
        target: createPoolFleetTarget(pool, () => config.hooks),
      });
    }
  } catch (error) {
    // Workers left running would keep this process alive after the CLI reported the failure.
    await fleet?.close();
    await pool.stop(0);
    await admin?.shutdown(0);
    throw error;
  }
  const nodeBackend = createNodeBackend({ pool, hasHooks: () => config.hooks.length > 0, isStopping: () => stopping, reload });
  backend = fleet === null || fleetModule === null ? nodeBackend : fleetModule.withFleet(nodeBackend, fleet);
  logger.info('listening', { url, admin: admin?.url ?? null, origin: config.origin.url, workers: count, pid: process.pid });

  let closing: Promise<void> | null = null;
  return {
    url,
    adminUrl: admin?.url ?? null,
    reload,
    reopenLogs() {
      for (const worker of pool.workers()) {
        try {
          if (worker.pid > 0) process.kill(worker.pid, 'SIGUSR1');
        } catch {
          // Gone between the listing and the signal: its replacement opens the file afresh.
        }
      }
    },
    close(graceMs = config.limits.shutdownGrace) {
      closing ??= (async () => {
        stopping = true;
        await fleet?.close();
        await pool.stop(graceMs);
        await admin?.shutdown(0);
        logger.info('stopped');
      })();
      return closing;
    },
  };
}

async function startAdmin(config: EdgehookConfig, backend: AdminBackend, logger: Logger): Promise<ListeningServer | null> {
  if (config.admin === null) return null;
  const { limits } = config;
  return startHttpServer(config.admin, {
    verifyChunkFraming: () => 'from-first-chunked',
    maxHeaderBytes: limits.maxHeaderBytes,
    maxHeaders: limits.maxHeaders,
    clientIdleTimeoutMs: limits.clientIdleTimeout,
    requestHeadTimeoutMs: limits.requestHeadTimeout,
  }, {
    request: createAdminHandler({
      token: config.admin.token, logger, backend,
      paths: { mergeSlashes: config.proxy.mergeSlashes, escapedSlashes: config.proxy.pathWithEscapedSlashes },
    }),
  }, logger);
}

/** The admin API's answers before the workers are up: not ready, nothing to purge or reload yet. */
function deferredBackend(current: () => AdminBackend | null): AdminBackend {
  const starting = { status: 503, body: { ok: false, error: 'the node is starting' } };
  return {
    health: () => current()?.health() ?? { ready: false, body: { status: 'starting' } },
    metrics: () => current()?.metrics() ?? [],
    purge: (target) => current()?.purge(target) ?? starting,
    get hooks() {
      return current()?.hooks ?? null;
    },
    reload: () => current()?.reload?.() ?? Promise.resolve(starting),
    // Always present: the fleet section appears once the node follows the stream.
    fleet: () => current()?.fleet?.(),
  };
}

function sameAdmin(a: EdgehookConfig, b: EdgehookConfig): boolean {
  if (a.admin === null || b.admin === null) return a.admin === b.admin;
  return formatHostPort(a.admin) === formatHostPort(b.admin) && a.admin.token === b.admin.token;
}
