/**
 * `edgehook hook dev` as a real child process (bin/edgehook.js), for the watch-and-reload tests
 * and the save-to-served bench (bench/hook-loop.ts): it listens on 127.0.0.1:0 and the URL is read
 * from its first stdout line; every later line is kept, so a caller can wait for "rebuilt" or
 * "build failed".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/edgehook.js', import.meta.url));

export interface HookDevProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** stdout and stderr lines so far. */
  readonly lines: string[];
  /** Resolves with the first line (from now on) that matches. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<number | null>;
}

export async function startHookDev(entry: string, originUrl: string, cwd: string): Promise<HookDevProcess> {
  const child = spawn(process.execPath, [BIN, 'hook', 'dev', entry, '--origin', originUrl, '--listen', '127.0.0.1:0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const onLine = (line: string): void => {
    lines.push(line);
    for (const w of [...waiters]) if (w.pattern.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const waitForLine = (pattern: RegExp, timeoutMs = 120_000): Promise<string> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms; got:\n${lines.join('\n')}`)), timeoutMs);
    waiters.push({ pattern, resolve: (line) => { clearTimeout(timer); resolve(line); } });
  });
  const first = await Promise.race([
    waitForLine(/^edgehook hook dev: http:\/\//),
    once(child, 'exit').then(() => { throw new Error(`hook dev exited:\n${lines.join('\n')}`); }),
  ]);
  const url = /^edgehook hook dev: (http:\/\/\S+)/.exec(first)![1]!;
  return {
    url, child, lines, waitForLine,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit') as [number | null];
      return code;
    },
  };
}
