/**
 * The console a JS/TS hook has: `edgehook hook build` defines it on the contract's `log`
 * (hooks/build/js-wrapper.ts), so each call is a line in the hook's log (bounded per call, with
 * the request's trace id). Declared the way @types/node and lib.dom do, so the declarations merge.
 */
interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  debug(...data: unknown[]): void;
  trace(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
}
declare var console: Console;
