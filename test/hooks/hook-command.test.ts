import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runHookCommand } from '../../src/cli/hook-command.ts';
import { buildFixture } from './support/fixtures.ts';

let output = '';
let dir = '';
beforeEach(async () => {
  output = '';
  dir = await mkdtemp(join(tmpdir(), 'edgehook-cli-'));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { output += String(chunk); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => { output += String(chunk); return true; });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('edgehook hook', () => {
  it('run: prints the verdict, the edits and the logs', async () => {
    const { path } = await buildFixture('rewrite');
    const code = await runHookCommand(['run', path, '--phase', 'on-request', '--method', 'GET', '--url', 'http://x.test/y?z=1',
      '-H', 'x-remove-me: 1', '-H', 'accept: */*', '--client-ip', '1.2.3.4']);
    expect(code).toBe(0);
    const report = JSON.parse(output) as { verdict: unknown; edits: { headers: [string, string][] }; kind: string };
    expect(report.kind).toBe('direct');
    expect(report.verdict).toEqual({ tag: 'continue' });
    expect(report.edits.headers).toContainEqual(['x-client-ip', '1.2.3.4']);
    expect(report.edits.headers.map(([n]) => n)).not.toContain('x-remove-me');
  });

  it('run: exits 1 and names the code when the hook fails', async () => {
    const { path } = await buildFixture('trap');
    expect(await runHookCommand(['run', path, '--url', 'http://x.test/trap'])).toBe(1);
    expect(output).toContain('EH_HOOK_TRAP');
  });

  it('new + build: scaffolds an AssemblyScript hook that builds', async () => {
    const name = join(dir, 'my-hook');
    expect(await runHookCommand(['new', name, '--lang', 'as'])).toBe(0);
    expect(await readFile(join(name, 'hook.as'), 'utf8')).toContain('export function onRequest');
    expect(await runHookCommand(['build', join(name, 'hook.as'), '-o', join(dir, 'out.wasm')])).toBe(0);
    expect(output).toMatch(/out\.wasm: \d+ bytes, assemblyscript, phases on-request/);
  });

  it('prints usage for unknown commands', async () => {
    expect(await runHookCommand(['frobnicate'])).toBe(2);
    expect(output).toContain('Usage: edgehook hook <new|build|run|test|dev>');
  });
});
