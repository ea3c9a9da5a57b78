/**
 * A hook call that did not produce a usable verdict. The code is stable (it is in src/errors.ts's
 * catalog) and ends up in the log line, the span status and the error metric.
 */
import type { ErrorCode } from '../errors.ts';
import { Wasm } from './wasm-api.ts';

export type HookFailureCode = Extract<ErrorCode,
  'EH_HOOK_TIMEOUT' | 'EH_HOOK_TRAP' | 'EH_HOOK_BAD_VERDICT' | 'EH_HOOK_BAD_OUTPUT' | 'EH_HOOK_CIRCUIT_OPEN'>;

export class HookFailure extends Error {
  readonly code: HookFailureCode;
  /** A JS guest's stack at an uncaught exception, mapped to the author's sources (guest-report.ts). */
  guestStack?: string;

  constructor(code: HookFailureCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HookFailure';
    this.code = code;
  }
}

/** Maps anything a guest call threw to a HookFailure (traps, host bounds checks, stack overflow). */
export function toHookFailure(error: unknown): HookFailure {
  if (error instanceof HookFailure) return error;
  if (error instanceof Wasm.RuntimeError) return new HookFailure('EH_HOOK_TRAP', `trap: ${error.message}`, { cause: error });
  // V8 reports a guest that ran out of stack (unbounded recursion) as a RangeError thrown through
  // the Wasm frames, not as a RuntimeError: the same trap, named so the log line says what happened.
  if (error instanceof RangeError) {
    const what = /call stack/i.test(error.message) ? 'stack overflow' : 'range error';
    return new HookFailure('EH_HOOK_TRAP', `trap (${what}): ${error.message}`, { cause: error });
  }
  // jco's glue decodes guest strings with fatal TextDecoders (transpiled-guest.ts strictStringLifts).
  if (error instanceof TypeError && (error as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') {
    return new HookFailure('EH_HOOK_TRAP', `trap (invalid string): ${error.message}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new HookFailure('EH_HOOK_TRAP', `guest error: ${message}`, { cause: error });
}
