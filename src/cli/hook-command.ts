/**
 * `edgehook hook new|build|run|test|dev`: the hook author's local toolchain. Each action's flags
 * are declared in hook-flags.ts (unknown ones fail with a "did you mean"), its help is in
 * hook-help.ts, and its code is imported only when it runs, so `hook new` and every `--help`
 * answer in milliseconds.
 */
import { didYouMean } from '../config/suggest.ts';
import { flag, HOOK_ACTION_NAMES, HookUsageError, oneOf, parseHookArgs, type HookActionName, type ParsedHookArgs } from './hook-flags.ts';
import { hookActionHelp, hookOverviewHelp } from './hook-help.ts';
import type { Out } from './hook-build-command.ts';

const out: Out = (text) => process.stdout.write(text + '\n');
const err: Out = (text) => process.stderr.write(text + '\n');

async function hookNew({ positional, flags }: ParsedHookArgs): Promise<number> {
  const target = positional[0];
  if (target === undefined) throw new HookUsageError('hook new needs a NAME');
  const name = target.split(/[\\/]/).at(-1) ?? '';
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new HookUsageError(`"${name}": a hook name is lower-case letters, digits and dashes`);
  const lang = oneOf('--lang', flag(flags, 'lang') ?? 'ts', ['ts', 'as'] as const);
  const { scaffoldHook } = await import('./hook-scaffold.ts');
  const { files } = await scaffoldHook(target, lang);
  out(`created ${files.join('\n        ')}\nnext:   cd ${target} && edgehook hook test`);
  return 0;
}

async function runAction(action: HookActionName, parsed: ParsedHookArgs): Promise<number> {
  switch (action) {
    case 'new': return hookNew(parsed);
    case 'build': return (await import('./hook-build-command.ts')).hookBuild(parsed, out);
    case 'run': return (await import('./hook-run.ts')).hookRun(parsed, out, err);
    case 'test': return (await import('./hook-test-command.ts')).hookTest(parsed, out, err);
    case 'dev': return (await import('./hook-dev.ts')).hookDev(parsed, out, err);
  }
}

function isAction(word: string): word is HookActionName {
  return (HOOK_ACTION_NAMES as readonly string[]).includes(word);
}

export async function runHookCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === undefined || action === '--help' || action === '-h') { out(hookOverviewHelp()); return 0; }
  if (!isAction(action)) {
    err(`edgehook hook: unknown action "${action}"${didYouMean(action, HOOK_ACTION_NAMES)}\n\n${hookOverviewHelp()}`);
    return 2;
  }
  try {
    const parsed = parseHookArgs(action, rest);
    if (parsed.help) { out(hookActionHelp(action)); return 0; }
    return await runAction(action, parsed);
  } catch (error) {
    if (error instanceof HookUsageError) {
      err(`edgehook hook ${action}: ${error.message}\nRun "edgehook hook ${action} --help" for usage.`);
      return 2;
    }
    err(`edgehook hook ${action}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
