/**
 * How a JS guest tells the host why it failed, without a contract change. The JS engines turn an
 * uncaught exception into a bare `unreachable` trap, so `edgehook hook build` wraps each phase's
 * handle() (hooks/build/js-wrapper.ts): on an exception or a malformed verdict the wrapper first
 * calls the contract's `log` with the reserved message below and the details as fields, then
 * throws. The host (transpiled-imports.ts) keeps that call as the call's report instead of
 * logging it, and the failure the trap becomes carries the message and the stack — mapped back to
 * the author's sources with the source map the build stored in the component
 * (guest-source-map.ts).
 */
import type { SourceMap } from 'node:module';
import { HookFailure } from './hook-failure.ts';
import { mapGuestStack } from './guest-source-map.ts';

/** The log message a wrapped handle() reports with; never a line an author would write. */
export const GUEST_REPORT_MESSAGE = '\u0000edgehook:guest-report';

/** What the wrapper reported: `kind` is `exception` or `bad-verdict`. */
export interface GuestReport {
  readonly kind: string;
  readonly name: string;
  readonly message: string;
  readonly stack: string;
}

/** A report from the log call's fields (each already bounded by the log import). */
export function parseGuestReport(fields: ReadonlyArray<readonly [string, string]>): GuestReport {
  const get = (key: string, max: number): string => (fields.find(([name]) => name === key)?.[1] ?? '').slice(0, max);
  return { kind: get('kind', 32), name: get('name', 128), message: get('message', 2_048), stack: get('stack', 8_192) };
}

/** The failure a reported exception or bad verdict becomes, its stack mapped to the author's lines. */
export function reportFailure(report: GuestReport, map: SourceMap | null, cause: unknown): HookFailure {
  if (report.kind === 'bad-verdict') {
    return new HookFailure('EH_HOOK_BAD_VERDICT', `handle() returned ${report.message}: `
      + `expected { tag: 'continue' } or { tag: 'respond', val: { status, headers, body } }`, { cause });
  }
  const stack = mapGuestStack(report.stack, map);
  const failure = new HookFailure('EH_HOOK_TRAP', `uncaught ${report.name || 'exception'}: ${report.message}`, { cause });
  if (stack !== '') failure.guestStack = stack;
  return failure;
}

/** A short, bounded rendering of whatever a guest returned, for an error message. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
