/**
 * `edgehook hook new` (issue #12) through the real CLI: a folder an editor understands (the real
 * TypeScript compiler resolves the contract imports with the scaffolded tsconfig — and rejects a
 * misspelled host function), whose own flow test is green with `edgehook hook test`, for TS and AS.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/fixtures.ts';

const EDGEHOOK = join(ROOT, 'bin/edgehook.js');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
type Run = { code: number; stdout: string; stderr: string };
const run = (cmd: string, args: string[], cwd: string): Promise<Run> => promisify(execFile)(process.execPath, [cmd, ...args], { cwd })
  .then((r) => ({ code: 0, ...r }), (e: Run) => e);

let dir = '';
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'edgehook-new-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('edgehook hook new', () => {
  it('TS: source, tsconfig, flow test, README; tsc resolves the contract and console, and catches a typo', async () => {
    expect((await run(EDGEHOOK, ['hook', 'new', 'add-header'], dir)).code).toBe(0);
    const folder = join(dir, 'add-header');
    expect((await readdir(folder)).sort()).toEqual(['.gitignore', 'README.md', 'hook.ts', 'tests', 'tsconfig.json']);
    const tsc = await run(TSC, ['-p', folder], dir);
    expect(tsc.stdout + tsc.stderr).toBe('');
    const source = await readFile(join(folder, 'hook.ts'), 'utf8');
    await writeFile(join(folder, 'hook.ts'), source.replace("setHeader('x-hello'", "setHeadr('x-hello'"));
    const broken = await run(TSC, ['-p', folder], dir);
    expect(broken.code).not.toBe(0);
    expect(broken.stdout).toMatch(/hook\.ts\(\d+,\d+\): error TS2552: Cannot find name 'setHeadr'/);
    await writeFile(join(folder, 'hook.ts'), source);
    const test = await run(EDGEHOOK, ['hook', 'test'], folder);
    expect(test.stdout).toContain('2 passed, 0 failed');
    expect(test.code).toBe(0);
  }, 240_000);

  it('AS: the same folder around hook.as; what an editor reads it as (TypeScript) resolves the SDK, catches a typo; its flow test is green', async () => {
    expect((await run(EDGEHOOK, ['hook', 'new', 'fast-auth', '--lang', 'as'], dir)).code).toBe(0);
    const folder = join(dir, 'fast-auth');
    expect((await readdir(folder)).sort()).toEqual(['.gitignore', '.vscode', 'README.md', 'edgehook.d.ts', 'hook.as', 'tests']);
    // An editor maps .as to TypeScript (.vscode/settings.json); tsc on a .ts copy is what it sees.
    const source = await readFile(join(folder, 'hook.as'), 'utf8');
    const asEditorSees = async (text: string): Promise<Run> => {
      await writeFile(join(folder, 'editor-view.ts'), text);
      return run(TSC, ['--noEmit', '--strict', '--target', 'ES2022', '--module', 'ESNext', '--moduleResolution', 'Bundler', join(folder, 'editor-view.ts')], dir);
    };
    const clean = await asEditorSees(source);
    expect(clean.stdout + clean.stderr).toBe('');
    const typo = await asEditorSees(source.replace('request.setHeader(', 'request.setHeadr('));
    expect(typo.stdout).toMatch(/editor-view\.ts\(\d+,\d+\): error TS2551: Property 'setHeadr' does not exist/);
    await rm(join(folder, 'editor-view.ts'));
    const test = await run(EDGEHOOK, ['hook', 'test'], folder);
    expect(test.stdout).toContain('2 passed, 0 failed');
    expect(test.code).toBe(0);
  }, 240_000);

  it('refuses to overwrite, a bad name and an unknown --lang, with a hint', async () => {
    expect((await run(EDGEHOOK, ['hook', 'new', 'add-header'], dir)).stderr).toContain('already exists');
    expect((await run(EDGEHOOK, ['hook', 'new', 'Bad_Name'], dir)).code).toBe(2);
    const lang = await run(EDGEHOOK, ['hook', 'new', 'x', '--lang', 'ast'], dir);
    expect(lang.code).toBe(2);
    expect(lang.stderr).toContain('--lang "ast" is not one of ts, as (did you mean "as"?)');
  });
});
