/**
 * Stable codes on the proxy-wasm runtime's own log lines (bounds crossed by a filter). Not HTTP
 * errors: a filter's failure itself is logged with the hook runtime's
 * EH_HOOK_* codes by loaded-hook.ts, and answered by its on_error policy.
 */
export const PROXY_WASM_LOG_CODES = {
  /** A filter asked for more shared data or metrics than the node's bounds allow (answered BAD_ARGUMENT). */
  bound: 'EH_PROXY_WASM_BOUND',
} as const;
