/**
 * What `edgehook hook build` puts around a JS/TS hook so its failures are readable. The JS engines
 * have no console (a `console.log` is a ReferenceError) and turn any uncaught exception into a
 * bare `unreachable` trap. So the bundle starts with a prelude that defines `console.*` on the
 * contract's `log` (the hook's log: bounded per call, with the trace id), and each exported phase
 * object's handle() is wrapped: an exception, or a verdict that is not `{ tag: 'continue' }` /
 * `{ tag: 'respond', val }`, is reported through `log` with the reserved message of
 * src/hook-runtime/guest-report.ts before the wrapper throws. The host turns that report into the
 * failure's message and (mapped through the source map) stack.
 */
import type { PhaseName } from '../../src/pipeline/hook-seam.ts';
import { GUEST_REPORT_MESSAGE } from '../../src/hook-runtime/guest-report.ts';

export const PHASE_EXPORTS: Record<PhaseName, string> = {
  'on-request': 'onRequest', 'on-origin-response': 'onOriginResponse', 'on-response': 'onResponse',
};

/** Runs first (imported before the author's module), so module-level console calls work too. */
export const PRELUDE_SOURCE = `
import { log } from 'edgehook:hooks/log@0.1.0';
const text = (args) => args.map((a) => {
  if (typeof a === 'string') return a;
  if (a instanceof Error) return String(a.stack ? a.message + '\\n' + a.stack : a.message);
  try { return JSON.stringify(a) ?? String(a); } catch { return String(a); }
}).join(' ');
const at = (level) => (...args) => log(level, text(args), []);
globalThis.console = {
  log: at('info'), info: at('info'), debug: at('debug'), trace: at('debug'), warn: at('warn'), error: at('error'),
};
`;

/** The wrapper entry: re-exports the author's phases with handle() guarded. */
export function wrapperSource(entryImport: string, phases: readonly PhaseName[]): string {
  const names = phases.map((phase) => PHASE_EXPORTS[phase]);
  return `
import 'edgehook-prelude';
import { log } from 'edgehook:hooks/log@0.1.0';
import * as hook from ${JSON.stringify(entryImport)};
const REPORT = ${JSON.stringify(GUEST_REPORT_MESSAGE)};
const describe = (value) => {
  let text;
  try { text = JSON.stringify(value, (k, v) => v instanceof Uint8Array ? '<' + v.length + ' bytes>' : v) ?? String(value); }
  catch { text = String(value); }
  return text.length > 200 ? text.slice(0, 200) + '…' : text;
};
const isVerdict = (v) => v != null && (v.tag === 'continue'
  || (v.tag === 'respond' && v.val != null && typeof v.val.status === 'number' && Array.isArray(v.val.headers)
    && v.val.body instanceof Uint8Array));
const report = (fields) => log('error', REPORT, fields);
const guard = (phase) => {
  if (phase == null || typeof phase.handle !== 'function') return phase;
  return { ...phase, handle(...args) {
    let verdict;
    try { verdict = phase.handle(...args); } catch (error) {
      const e = error instanceof Error ? error : { name: typeof error, message: describe(error), stack: '' };
      report([['kind', 'exception'], ['name', String(e.name ?? 'Error')], ['message', String(e.message ?? '')], ['stack', String(e.stack ?? '')]]);
      throw error;
    }
    if (!isVerdict(verdict)) {
      report([['kind', 'bad-verdict'], ['message', describe(verdict)]]);
      throw new Error('bad verdict');
    }
    return verdict;
  } };
};
${names.map((name) => `export const ${name} = guard(hook.${name});`).join('\n')}
`;
}
