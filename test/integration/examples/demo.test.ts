/**
 * `edgehook demo` runs the finished examples: the CLI is started as a user starts it, and every
 * curl line it prints for the example hooks is run verbatim by a shell (curl from the machine), so
 * the copy-paste session the guide shows is the one that works. Statuses come from demoCurls().
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCurls } from '../../../src/demo/demo-hooks.ts';
import { ROOT } from '../../hooks/support/fixtures.ts';

const run = promisify(execFile);
let child: ChildProcess | undefined;
let guide = '';

beforeAll(async () => {
  child = spawn(process.execPath, ['src/cli/main.ts', 'demo', '--listen', '127.0.0.1:0', '--origin-listen', '127.0.0.1:0', '--admin', 'off', '--log-level', 'warn'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    guide += `${line}\n`;
    if (line.startsWith('Ctrl-C stops it')) break;
  }
}, 180_000);

afterAll(async () => {
  if (child === undefined || child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
});

describe('edgehook demo', () => {
  it('prints a curl session per example, and each line gets the status it promises', async () => {
    const nodeUrl = /edgehook (http:\/\/127\.0\.0\.1:\d+) in front of/.exec(guide)?.[1];
    expect(nodeUrl, guide).toBeDefined();
    const printed = guide.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('curl ') && !l.includes('/metrics') && !l.includes('/hooks') && !l.includes('/purge'));
    const hookLines = printed.slice(printed.findIndex((l) => l.includes('/files/report.pdf?expires=')));
    const expected = demoCurls(nodeUrl!, Date.now()).flatMap(([, curls]) => curls);
    expect(hookLines).toHaveLength(expected.length);
    for (const [i, command] of hookLines.entries()) {
      const { stdout } = await run('sh', ['-c', command], { timeout: 30_000 });
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(stdout)?.[1]);
      expect({ command, status }).toEqual({ command, status: expected[i]!.status });
      if (expected[i]!.shown !== undefined) expect(stdout.toLowerCase(), command).toContain(expected[i]!.shown!.toLowerCase());
    }
  }, 120_000);
});
