/** Placeholder replaced in the watch commit. */
import { HookUsageError, type ParsedHookArgs } from './hook-flags.ts';
import type { Out } from './hook-build-command.ts';

export async function hookDev(_args: ParsedHookArgs, _out: Out, _err: Out): Promise<number> {
  throw new HookUsageError('hook dev is not built yet');
}
