/**
 * A worker process of a multi-process node: the entry point node:cluster runs for each worker
 * (worker-handle.ts sets it up). It asks its primary for the config (already validated there,
 * sent as is, admin API off), starts one ordinary node on the shared listen address, and answers
 * the primary's calls: purges, metric snapshots, hook lists and reloads, invalidations other
 * workers made, and the drain that retires it. Everything a request touches lives here.
 *
 * Signals: SIGINT (Ctrl-C reaches the whole process group) is the primary's to act on; SIGTERM
 * (sent to this process alone, or to the whole group by a service manager) stops it gracefully.
 *
 * A worker never ends with process.exit() while its stores may be writing: lmdb-js's exit handler
 * then waits on the write in flight for ever (5 of 6 such exits hung, measured), a process left
 * holding LMDB's writer lock against every other — the next node could not even open the store.
 * So a worker whose primary is gone (node:cluster would exit it at once) kills itself, as kill -9
 * would: each write is one transaction, which the store survives.
 */
import { applyPurge, reloadAnswer } from '../admin/local-backend.ts';
import { startTelemetry, type StartedTelemetry } from '../cli/telemetry.ts';
import { ConfigError } from '../errors.ts';
import { createLogger, type Logger } from '../log.ts';
import { startNode, type EdgehookNode } from '../node.ts';
import { CLUSTER_LOG_CODES } from './cluster-log-codes.ts';
import { isToWorker, type FromWorker, type OpResults, type ToWorker, type WorkerOp } from './messages.ts';

interface Running {
  readonly node: EdgehookNode;
  readonly telemetry: StartedTelemetry;
  readonly logger: Logger;
}

/** How long a worker that has closed everything may take to end on its own. */
const EXIT_AFTER_MS = 2000;

function send(message: FromWorker): void {
  process.send?.(message);
}

/** Whether this worker is leaving on its own terms (a drain, a stop, a failed start). */
interface Leaving {
  value: boolean;
}

/**
 * Disconnecting flushes what was sent; the process then ends with nothing left to run. Should a
 * half-started part (a telemetry exporter, a hook instance) hold it, the timer ends it anyway —
 * with SIGKILL, not process.exit(), for the reason above.
 */
function exitSoon(code: number, leaving: Leaving): void {
  leaving.value = true;
  process.exitCode = code;
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), EXIT_AFTER_MS).unref();
  if (process.connected) process.disconnect();
}

async function start({ config, worker }: Extract<ToWorker, { kind: 'start' }>, leaving: Leaving): Promise<Running | null> {
  const logger = createLogger({ level: config.log.level, base: { worker } });
  try {
    const telemetry = await startTelemetry(config.telemetry, process.env, logger);
    const node = await startNode({
      config, logger, telemetry: telemetry.telemetry,
      worker: { id: worker, invalidated: (url) => send({ kind: 'invalidated', url }) },
    });
    send({ kind: 'ready', url: node.url });
    return { node, telemetry, logger };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    // The operator's to fix (a config, a busy address): the primary reports it, once, for the
    // node; anything else is this worker's own failure and logged here too.
    if (!(error instanceof ConfigError)) logger.error('worker failed to start', { code: 'EH_CONFIG', error: text });
    send({ kind: 'failed', message: text, config: error instanceof ConfigError });
    exitSoon(2, leaving);
    return null;
  }
}

async function call(op: WorkerOp, { node, logger }: Running): Promise<OpResults[WorkerOp['name']]> {
  switch (op.name) {
    case 'purge': return applyPurge(node.store, op.target);
    case 'invalidate': return node.store.purgeUrl(op.url);
    case 'metrics': return node.metricsSnapshot();
    case 'hooks-list': return node.listHooks();
    case 'hooks-reload': {
      const result = await node.reloadHooks(op.hooks);
      if (result !== null) logger.info('hooks reloaded', { status: reloadAnswer(result).status, result });
      return result;
    }
  }
}

async function answer(id: number, op: WorkerOp, running: Running | null): Promise<void> {
  if (running === null) return send({ kind: 'reply', id, ok: false, error: 'worker not started' });
  try {
    send({ kind: 'reply', id, ok: true, value: await call(op, running) });
  } catch (error) {
    send({ kind: 'reply', id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
}

/** Finishes what is in flight, closes, hands over its last counters, exits. */
async function stop(running: Running | null, graceMs: number | undefined, how: 'stop' | 'drain', leaving: Leaving): Promise<void> {
  if (running !== null) {
    await running.node.close(graceMs, how);
    send({ kind: 'drained', metrics: running.node.metricsSnapshot() });
    await running.telemetry.shutdown();
  }
  exitSoon(0, leaving);
}

function runWorker(): void {
  let running: Promise<Running | null> = Promise.resolve(null);
  let stopping: Promise<void> | null = null;
  const leaving: Leaving = { value: false };
  const stopOnce = (graceMs: number | undefined, how: 'stop' | 'drain'): void => {
    stopping ??= running.then((node) => stop(node, graceMs, how, leaving));
  };
  // Ahead of node:cluster's own listener, which would call process.exit().
  process.prependListener('disconnect', () => {
    if (!leaving.value) process.kill(process.pid, 'SIGKILL');
  });
  // A bug that escapes everything would end the process through the same exit handlers: the
  // worker says what happened and dies at once; its primary replaces it.
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'worker crashed', code: CLUSTER_LOG_CODES.workerCrashed, error: error.stack ?? String(error) })}\n`);
    process.kill(process.pid, 'SIGKILL');
  });
  process.on('message', (message: unknown) => {
    if (!isToWorker(message)) return;
    switch (message.kind) {
      case 'start':
        running = start(message, leaving);
        return;
      case 'call':
        return void running.then((node) => answer(message.id, message.op, node));
      case 'drain':
        return stopOnce(message.graceMs, message.how);
    }
  });
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => stopOnce(undefined, 'stop'));
  // From the primary (or the whole process group): reopen the access-log file after logrotate.
  process.on('SIGUSR1', () => void running.then((node) => node?.node.reopenLogs()));
  send({ kind: 'hello' });
}

runWorker();
