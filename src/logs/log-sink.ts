/**
 * Where the access log goes: stdout, or a file opened for appending and reopened on SIGUSR1 (as
 * nginx does for logrotate: rename the file, signal, and the next line starts a fresh one).
 * Lines written in one event-loop turn leave in one write. Bounded: when the destination cannot
 * keep up (a full pipe, a slow disk) and `maxPendingBytes` are waiting, further lines are dropped
 * and counted, rather than growing the heap until the node falls over.
 */
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

export interface LogSink {
  write(line: string): void;
  /** Closes the file and opens the same path again (SIGUSR1); a no-op for stdout. */
  reopen(): void;
  /** Lines dropped because the destination was `maxPendingBytes` behind; read and reset. */
  takeDropped(): number;
  close(): Promise<void>;
}

/** Most bytes of log lines waiting for the destination before new lines are dropped. */
export const DEFAULT_MAX_PENDING_BYTES = 8 * 1024 * 1024;

/**
 * Opens the destination at once, so a path that cannot be written fails here, at startup, with
 * the system's reason (thrown), not at the first request. `failed` hears of later write errors
 * (a disk gone read-only); the lines are then dropped and counted.
 */
export function createLogSink(path: string, failed: (error: Error) => void, maxPendingBytes = DEFAULT_MAX_PENDING_BYTES): LogSink {
  const toStdout = path === 'stdout';
  const open = (): Writable => {
    if (toStdout) return process.stdout;
    const stream = createWriteStream(path, { fd: openSync(path, 'a') });
    stream.on('error', failed);
    return stream;
  };
  let out = open();
  let batch = '';
  let scheduled = false;
  let dropped = 0;
  const flush = (): void => {
    scheduled = false;
    const text = batch;
    batch = '';
    if (text !== '') out.write(text);
  };
  return {
    write(line) {
      if (out.writableLength + batch.length > maxPendingBytes) {
        dropped++;
        return;
      }
      batch += line + '\n';
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    reopen() {
      if (toStdout) return;
      flush();
      const old = out as WriteStream;
      try {
        out = open();
      } catch (error) {
        // The old file stays in use: lines keep landing somewhere an operator can find them.
        failed(error as Error);
        return;
      }
      old.end();
    },
    takeDropped() {
      const count = dropped;
      dropped = 0;
      return count;
    },
    async close() {
      flush();
      if (toStdout) return;
      await new Promise<void>((resolve) => out.end(resolve));
    },
  };
}
