/**
 * A real disk store in a child process (disk-store-child.ts), for faults a test process cannot
 * bring on itself: under a file-size limit (RLIMIT_FSIZE, set with `prlimit`), LMDB's writes past
 * the limit fail exactly as on a full filesystem — both surface from lmdb as an I/O error on
 * commit (checked against a full tmpfs) — and a store that mishandles it takes its process down,
 * which the test then sees as an exit instead of an answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DiskStoreOptions, DiskStoreStats } from '../../src/cache/disk-store.ts';
import { loggedWithCode } from './edgehook-process.ts';

const CHILD = fileURLToPath(new URL('./disk-store-child.ts', import.meta.url));

/** Store calls that return at once (their writes commit later). */
export type SyncCommand =
  | { readonly op: 'put'; readonly keys: readonly string[]; readonly bytes: number; readonly tags?: readonly string[] }
  | { readonly op: 'get'; readonly keys: readonly string[] }
  | { readonly op: 'purge-tag'; readonly tag: string }
  | { readonly op: 'stats' };

export type DiskCommand =
  | SyncCommand
  | { readonly op: 'batch'; readonly commands: readonly SyncCommand[] }
  | { readonly op: 'flush' }
  | { readonly op: 'wait'; readonly ms: number }
  | { readonly op: 'close' };

export type ReadOutcome = 'hit' | 'miss' | 'damaged';

export interface DiskStoreProcess {
  put(keys: readonly string[], bytes: number, tags?: readonly string[]): Promise<void>;
  /** Per key: a whole body, none, or a body that is not the one stored. */
  get(keys: readonly string[]): Promise<ReadOutcome[]>;
  purgeTag(tag: string): Promise<number>;
  /** Runs the calls in one event turn, so their writes share one LMDB transaction. */
  batch(commands: readonly SyncCommand[]): Promise<unknown[]>;
  flush(): Promise<void>;
  /** Lets the child's event loop run for `ms` (its timers, lmdb's commits). */
  wait(ms: number): Promise<void>;
  stats(): Promise<DiskStoreStats>;
  /** Closes the store and ends the process; resolves with the store's totals after closing. */
  close(): Promise<DiskStoreStats>;
  /** The child's stderr lines: the store's JSON log lines and whatever lmdb prints. */
  readonly log: readonly string[];
  /** JSON log lines carrying `code`. */
  logged(code: string): Array<Record<string, unknown>>;
  kill(): void;
}

/** The body stored under `key`: its SHA-256 repeated, so any damage or truncation shows. */
export function bodyFor(key: string, bytes: number): Buffer {
  const digest = createHash('sha256').update(key).digest();
  const body = Buffer.alloc(bytes);
  for (let at = 0; at < bytes; at += digest.length) digest.copy(body, at);
  return body;
}

export function spawnDiskStore(
  options: Omit<DiskStoreOptions, 'logger'>, limits: { readonly fileSizeBytes?: number } = {},
): DiskStoreProcess {
  const node = [process.execPath, CHILD, JSON.stringify(options)];
  const command = limits.fileSizeBytes === undefined ? node : ['prlimit', `--fsize=${limits.fileSizeBytes}`, '--', ...node];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const log: string[] = [];
  const waiting: Array<{ resolve(value: unknown): void; reject(error: Error): void }> = [];
  createInterface({ input: child.stderr! }).on('line', (line) => log.push(line));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    waiting.shift()?.resolve((JSON.parse(line) as { result: unknown }).result);
  });
  child.once('exit', (code, signal) => {
    const error = new Error(`disk store process exited (code ${code}, signal ${signal})\n${log.slice(-20).join('\n')}`);
    for (const pending of waiting.splice(0)) pending.reject(error);
  });

  function send<T>(command: DiskCommand): Promise<T> {
    return new Promise((resolve, reject) => {
      if (exited(child)) return reject(new Error(`disk store process has exited\n${log.slice(-20).join('\n')}`));
      waiting.push({ resolve: resolve as (value: unknown) => void, reject });
      child.stdin!.write(JSON.stringify(command) + '\n');
    });
  }

  return {
    put: (keys, bytes, tags) => send({ op: 'put', keys, bytes, ...(tags === undefined ? {} : { tags }) }),
    get: (keys) => send({ op: 'get', keys }),
    purgeTag: (tag) => send({ op: 'purge-tag', tag }),
    batch: (commands) => send({ op: 'batch', commands }),
    flush: () => send({ op: 'flush' }),
    wait: (ms) => send({ op: 'wait', ms }),
    stats: () => send({ op: 'stats' }),
    close: () => send({ op: 'close' }),
    log,
    logged: (code) => loggedWithCode(log, code),
    kill: () => {
      if (!exited(child)) child.kill('SIGKILL');
    },
  };
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}
