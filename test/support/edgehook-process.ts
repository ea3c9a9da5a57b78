/**
 * edgehook as a real child process (`src/cli/main.ts serve`), for what only a process shows:
 * its memory (VmHWM in /proc), how it answers signals, and a node of several worker processes
 * (`workers`). It listens on 127.0.0.1:0 and the URL is read from its "listening" log line on
 * stderr (with workers, the primary's: each worker's own line says "worker listening").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface EdgehookProcess {
  readonly url: string;
  /** The admin listener's URL, when started with `admin: true`. */
  readonly adminUrl: string | null;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Every stderr line so far (JSON log lines; with workers, theirs too). */
  readonly log: string[];
  /** The config file it was started with (rewrite it, then SIGHUP or POST /reload). */
  readonly configFile: string;
  /** JSON log lines carrying `code`. */
  logged(code: string): Array<Record<string, unknown>>;
  /** Peak resident set size so far, in bytes (VmHWM). */
  peakRssBytes(): number;
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  /** Replaces the child's environment (e.g. OTEL_* variables); by default it inherits ours. */
  readonly env?: NodeJS.ProcessEnv;
  /** Start the admin listener (on 127.0.0.1:0); off by default. */
  readonly admin?: boolean;
  /**
   * RLIMIT_FSIZE for the child (set with `prlimit`): its writes past this file size fail, which
   * lmdb meets exactly as a full filesystem.
   */
  readonly fileSizeBytes?: number;
  /** `--workers`: worker processes (absent: the config's, by default one process). */
  readonly workers?: number | 'auto';
}

/** Starts `edgehook serve`; `config` (raw snake_case, as in YAML) is written to a temp JSON file. */
export async function spawnEdgehook(
  originUrl: string, config: Record<string, unknown> = {}, options: SpawnOptions = {},
): Promise<EdgehookProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'edgehook-test-'));
  const configFile = join(dir, 'edgehook.json');
  writeFileSync(configFile, JSON.stringify({ ...config, origin: { url: originUrl, ...(config.origin as object | undefined) } }));
  const serve = [process.execPath, MAIN, 'serve', '--config', configFile, '--listen', '127.0.0.1:0', '--admin', options.admin === true ? '127.0.0.1:0' : 'off',
    ...(options.workers === undefined ? [] : ['--workers', String(options.workers)])];
  const command = options.fileSizeBytes === undefined ? serve : ['prlimit', `--fsize=${options.fileSizeBytes}`, '--', ...serve];
  const child = spawn(command[0]!, command.slice(1), {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: options.env ?? process.env,
  });
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  // A test that fails before stopping its node must not leave it (and its workers) running.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const log: string[] = [];
  const { url, adminUrl } = await listeningUrls(child, log);
  const pid = child.pid!;
  return {
    url,
    adminUrl,
    pid,
    child,
    log,
    configFile,
    logged: (code) => loggedWithCode(log, code),
    peakRssBytes: () => peakRss(pid),
    stop: (signal = 'SIGTERM', timeoutMs = 10_000) => stop(child, signal, timeoutMs),
  };
}

function listeningUrls(child: ChildProcess, log: string[]): Promise<{ url: string; adminUrl: string | null }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail('no "listening" line within 15 s'), 15_000);
    const onExit = (code: number | null): void => fail(`exited with code ${code} before listening`);
    function fail(why: string): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`edgehook ${why}\n${log.join('\n')}`));
    }
    child.once('exit', onExit);
    createInterface({ input: child.stderr! }).on('line', (line) => {
      log.push(line);
      const urls = listeningLineUrls(line);
      if (urls === null) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve(urls);
    });
  });
}

function listeningLineUrls(line: string): { url: string; adminUrl: string | null } | null {
  try {
    const parsed = JSON.parse(line) as { msg?: unknown; url?: unknown; admin?: unknown };
    if (parsed.msg !== 'listening' || typeof parsed.url !== 'string') return null;
    return { url: parsed.url, adminUrl: typeof parsed.admin === 'string' ? parsed.admin : null };
  } catch {
    return null;
  }
}

function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

async function stop(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  child.kill(signal);
  // A child that ignores the signal is killed so that a failing test still ends.
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = await exited;
  clearTimeout(timer);
  return code;
}

/** The JSON log lines among `log` that carry `code` (other lines and non-JSON output skipped). */
export function loggedWithCode(log: readonly string[], code: string): Record<string, unknown>[] {
  return log.flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      return parsed.code === code ? [parsed] : [];
    } catch {
      return [];
    }
  });
}
