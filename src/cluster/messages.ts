/**
 * What the primary and its workers say to each other over the cluster's IPC channel. Messages are
 * structured clones (cluster `serialization: 'advanced'`), so Maps in metric snapshots and the
 * frozen config cross as they are. Every call carries an id; the worker answers it exactly once.
 *
 *   worker                         primary
 *   hello                 ──►                      (its message handler is in place)
 *                         ◄──      start {config, worker}
 *   ready {url}           ──►                      (listening: it takes connections now)
 *   failed {message}      ──►                      (could not start; it exits)
 *                         ◄──      call {id, op}   (purge, metrics, hooks, invalidate)
 *   reply {id, …}         ──►
 *   invalidated {url}     ──►                      (relayed to the other workers)
 *                         ◄──      drain {graceMs}
 *   drained {metrics}     ──►                      (then it exits)
 */
import type { PurgeTarget } from '../admin/admin-server.ts';
import type { MetricsSnapshot } from '../admin/metrics-snapshot.ts';
import type { EdgehookConfig, HookConfig } from '../config/types.ts';
import type { ReloadResult } from '../hook-runtime/hook-registry.ts';

export type WorkerOp =
  | { readonly name: 'purge'; readonly target: PurgeTarget }
  | { readonly name: 'metrics' }
  | { readonly name: 'hooks-list' }
  /** `hooks`: a new hooks list (a fleet deploy); absent = reload the modules of the current one. */
  | { readonly name: 'hooks-reload'; readonly hooks?: readonly HookConfig[] }
  /** A URL another worker invalidated after an unsafe request. */
  | { readonly name: 'invalidate'; readonly url: string };

/** What each op answers with. */
export interface OpResults {
  readonly purge: number;
  readonly metrics: MetricsSnapshot;
  readonly 'hooks-list': unknown;
  /** null when the worker has no hooks. */
  readonly 'hooks-reload': ReloadResult | null;
  readonly invalidate: number;
}

export type ToWorker =
  | { readonly kind: 'start'; readonly config: EdgehookConfig; readonly worker: number }
  | { readonly kind: 'call'; readonly id: number; readonly op: WorkerOp }
  /** `drain`: others take over the address (a reload); `stop`: the node is stopping. */
  | { readonly kind: 'drain'; readonly graceMs: number; readonly how: 'drain' | 'stop' };

export type FromWorker =
  | { readonly kind: 'hello' }
  | { readonly kind: 'ready'; readonly url: string }
  /** `config`: the config was refused (a hook module that does not load): retrying cannot help. */
  | { readonly kind: 'failed'; readonly message: string; readonly config: boolean }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: string }
  | { readonly kind: 'invalidated'; readonly url: string }
  | { readonly kind: 'drained'; readonly metrics: MetricsSnapshot };

const FROM_WORKER_KINDS: ReadonlySet<string> = new Set(['hello', 'ready', 'failed', 'reply', 'invalidated', 'drained']);
const TO_WORKER_KINDS: ReadonlySet<string> = new Set(['start', 'call', 'drain']);

/** Node's cluster module sends internal messages on the same channel; these are ours. */
export function isFromWorker(message: unknown): message is FromWorker {
  return hasKind(message, FROM_WORKER_KINDS);
}

export function isToWorker(message: unknown): message is ToWorker {
  return hasKind(message, TO_WORKER_KINDS);
}

function hasKind(message: unknown, kinds: ReadonlySet<string>): boolean {
  return typeof message === 'object' && message !== null && kinds.has(String((message as { kind?: unknown }).kind));
}
