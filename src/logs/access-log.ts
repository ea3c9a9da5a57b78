/**
 * The access log: one line per request, written when its response closes (finished or cut).
 * Sampling is decided when the request arrives, so a sampled-out request costs one random
 * number and nothing else; a logged one costs an AccessEntry, a close listener and the
 * compiled formatter: ~1.6 µs in all for a JSON line (README, "Logs"; bench/access-log-bench.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccessEntry } from './access-entry.ts';
import { compileJsonFormat, compileTemplateFormat, type AccessFormatter } from './access-format.ts';
import type { LogSink } from './log-sink.ts';

export interface AccessLogConfig {
  /** "stdout", or a file appended to (reopened on SIGUSR1). */
  readonly path: string;
  /** "json", or a text template with $field placeholders. */
  readonly format: string;
  /** The fields of a JSON line, in order. */
  readonly fields: readonly string[];
  /** Share of requests logged, 0..1. */
  readonly sample: number;
  /** all, or errors: status >= 400 or a response cut before its end. */
  readonly filter: 'all' | 'errors';
}

export interface AccessLog {
  /** Starts the entry of a request; null when this request is not logged (sampled out). */
  begin(req: IncomingMessage, res: ServerResponse): AccessEntry | null;
  reopen(): void;
  close(): Promise<void>;
}

export function createAccessLog(config: AccessLogConfig, sink: LogSink, random: () => number = Math.random): AccessLog {
  const format: AccessFormatter = config.format === 'json' ? compileJsonFormat(config.fields) : compileTemplateFormat(config.format);
  const errorsOnly = config.filter === 'errors';
  const sample = config.sample;
  const finish = (entry: AccessEntry): void => {
    entry.close();
    if (errorsOnly && entry.status < 400 && entry.completed) return;
    sink.write(format(entry));
  };
  return {
    begin(req, res) {
      if (sample < 1 && random() >= sample) return null;
      const entry = new AccessEntry(req, res);
      res.once('close', () => finish(entry));
      return entry;
    },
    reopen: () => sink.reopen(),
    close: () => sink.close(),
  };
}
