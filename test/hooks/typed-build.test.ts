/**
 * `edgehook hook build` type-checks (issue #12), through the real CLI: a TS hook with a misspelled
 * host function, a number where the WIT wants a string and `{ tag: 'contine' }` fails with one
 * `file:line:col` line each; an AssemblyScript error names the author's file, not the staged copy.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/fixtures.ts';

type Run = { code: number; stdout: string; stderr: string };
const build = (file: string, cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> => promisify(execFile)(process.execPath,
  [join(ROOT, 'bin/edgehook.js'), 'hook', 'build', file], { cwd, env }).then((r) => ({ code: 0, ...r }), (e: Run) => e);

let dir = '';
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'edgehook-typed-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const BAD_TS = `import { setHeadr, setHeader } from 'edgehook:hooks/request@0.1.0';
import type { Verdict } from 'edgehook:hooks/types@0.1.0';

export const onRequest = {
  handle(): Verdict {
    setHeader('x-n', 42);
    return { tag: 'contine' };
  },
};
`;

describe('type-checked builds', () => {
  it('TS: every error as file:line:col, and the build fails', async () => {
    await writeFile(join(dir, 'bad.ts'), BAD_TS);
    const result = await build('bad.ts', dir);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('bad.ts:'))).toEqual([
      'bad.ts:1:10 error TS2724: \'"edgehook:hooks/request@0.1.0"\' has no exported member named \'setHeadr\'. Did you mean \'setHeader\'?',
      'bad.ts:6:22 error TS2345: Argument of type \'number\' is not assignable to parameter of type \'string\'.',
      'bad.ts:7:14 error TS2820: Type \'"contine"\' is not assignable to type \'"continue" | "respond"\'. Did you mean \'"continue"\'?',
    ]);
  }, 120_000);

  it('TS: the fixed hook builds', async () => {
    await writeFile(join(dir, 'good.ts'), BAD_TS.replace('setHeadr, ', '').replace('42', "'42'").replace('contine', 'continue'));
    const result = await build('good.ts', dir);
    expect(result.stdout).toMatch(/good\.wasm: \d+ bytes, quickjs, phases on-request/);
    expect(result.code).toBe(0);
  }, 120_000);

  // CI=true: asc colours its diagnostics on CI even without a TTY, which once hid them from the summary.
  it('AS: errors name the author\'s file and line, on CI too', async () => {
    await writeFile(join(dir, 'auth.as'), 'import { Verdict, proceed } from "./edgehook";\n\nexport function onRequest(): Verdict {\n  let n: i32 = "x";\n  return proceed();\n}\n');
    const result = await build('auth.as', dir, { ...process.env, CI: 'true' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('auth.as:4:16 error TS2322: Type \'~lib/string/String\' is not assignable to type \'i32\'.');
    expect(result.stderr).toContain('in auth.as(4,16)');
    expect(result.stderr).not.toContain('hook.ts');
  }, 120_000);
});
