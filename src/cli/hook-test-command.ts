/**
 * `edgehook hook test [FILE|DIR...] [--hook ENTRY]`: runs flow tests (src/hook-test) and prints one
 * line per case, the differences under a failing one, and "N passed, N failed"; exits 1 when any
 * case failed. Defaults: tests/ of the current folder, and the hook.ts / hook.as beside it.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { flag, HookUsageError, type ParsedHookArgs } from './hook-flags.ts';
import { engineOf, type Out } from './hook-build-command.ts';

/** The hook beside the tests: <dir>/hook.ts, hook.as or hook.js, for the first test path's folder. */
function defaultHook(testPath: string): string {
  const base = resolve(testPath);
  for (const dir of [base, dirname(base), dirname(dirname(base))]) {
    for (const file of ['hook.ts', 'hook.as', 'hook.js']) if (existsSync(join(dir, file))) return join(dir, file);
  }
  throw new HookUsageError(`no hook.ts, hook.as or hook.js near ${testPath}: name it with --hook ENTRY`);
}

export async function hookTest({ positional, flags }: ParsedHookArgs, out: Out, err: Out): Promise<number> {
  const files = positional.length > 0 ? positional : ['tests'];
  for (const file of files) if (!existsSync(file)) throw new HookUsageError(`${file}: no such file or folder`);
  const hook = flag(flags, 'hook') ?? defaultHook(files[0]!);
  const { formatHookTestReport, runHookTests } = await import('../hook-test/index.ts');
  const report = await runHookTests({ hook, files, engine: engineOf(flags) });
  (report.failed === 0 ? out : err)(formatHookTestReport(report));
  return report.failed === 0 ? 0 : 1;
}
