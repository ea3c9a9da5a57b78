/**
 * Start a server in a child process and learn its URL from the first JSON log line that says
 * `"msg":"listening"` — the same line edgehook's CLI prints, so edgehook, the bench fixture and the
 * cache-suite origin are all started (and stopped) the same way. The child listens on port 0; we
 * never pick a port ourselves.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface ChildServer {
  readonly url: string;
  readonly pid: number;
  /** Last lines of the child's stderr, for error messages. */
  readonly stderrTail: () => string;
  /** null while running; otherwise how it ended ("code 1", "signal SIGSEGV"). */
  exitStatus(): string | null;
  close(): Promise<void>;
}

export interface ChildServerOptions {
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How long to wait for the listening line. */
  startTimeoutMs?: number;
  /** Extra stdio slots after 0..2 (used to hand nginx an already-listening socket). */
  extraFds?: readonly number[];
  /** Signal that asks the child for a graceful stop (nginx wants SIGQUIT). */
  stopSignal?: NodeJS.Signals;
  /**
   * For children that print no listening line (nginx): the URL is already known because we bound
   * the socket and handed it over, so readiness is "this path answers".
   */
  probe?: { url: string; path: string };
}

const STDERR_TAIL_LINES = 40;

export async function startChildServer(options: ChildServerOptions): Promise<ChildServer> {
  const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', ...(options.extraFds ?? [])];
  const child = spawn(options.command, [...options.args], { stdio, env: options.env ?? process.env, cwd: options.cwd });
  const tail = collectTail(child);
  try {
    // Generous: a node preparing QuickJS hooks on a cold cache, on a busy 2-core machine, takes tens of seconds.
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    const url = options.probe
      ? await waitForProbe(child, options.probe, timeoutMs, tail)
      : await waitForListening(child, timeoutMs, tail);
    return {
      url, pid: child.pid ?? -1, stderrTail: tail, exitStatus: () => exitStatusOf(child),
      close: () => stopChild(child, options.stopSignal ?? 'SIGTERM'),
    };
  } catch (error) {
    await stopChild(child, 'SIGKILL');
    throw error;
  }
}

/** Parse one log line; returns the URL when it is the listening line. */
export function parseListeningLine(line: string): string | null {
  if (!line.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(line) as { msg?: unknown; url?: unknown };
    return parsed.msg === 'listening' && typeof parsed.url === 'string' ? parsed.url : null;
  } catch {
    return null;
  }
}

function collectTail(child: ChildProcess): () => string {
  const lines: string[] = [];
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      lines.push(line);
      if (lines.length > STDERR_TAIL_LINES) lines.shift();
    });
  }
  return () => lines.join('\n');
}

/** edgehook's logger writes to stderr, our fixtures to stdout: watch both for the listening line. */
function waitForListening(child: ChildProcess, timeoutMs: number, tail: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => fail(`no "listening" line within ${timeoutMs} ms`), timeoutMs);
    const onExit = (code: number | null, signal: string | null): void =>
      fail(`exited (code ${code}, signal ${signal}) before listening`);
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      return true;
    };
    const fail = (why: string): void => {
      if (settle()) reject(new Error(`${child.spawnfile}: ${why}\n--- stderr ---\n${tail()}`));
    };
    const onLine = (line: string): void => {
      const url = parseListeningLine(line);
      if (url !== null && settle()) resolve(url);
    };
    child.once('exit', onExit);
    child.once('error', (error) => fail(error.message));
    // Both streams keep being drained after the listening line, so a chatty child never blocks on a full pipe.
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', onLine);
    }
  });
}

async function waitForProbe(
  child: ChildProcess, probe: { url: string; path: string }, timeoutMs: number, tail: () => string,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${child.spawnfile}: exited (code ${child.exitCode}) before ready\n--- stderr ---\n${tail()}`);
    }
    try {
      const response = await fetch(new URL(probe.path, probe.url), { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status < 500) return probe.url;
    } catch {
      // Not answering yet; the socket is already listening, so this is the child still booting.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${child.spawnfile}: ${probe.path} did not answer within ${timeoutMs} ms\n--- stderr ---\n${tail()}`);
}

function exitStatusOf(child: ChildProcess): string | null {
  if (child.signalCode !== null) return `signal ${child.signalCode}`;
  return child.exitCode === null ? null : `code ${child.exitCode}`;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  // A child that ignores the polite signal for 5 s is killed outright so runs always end.
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
