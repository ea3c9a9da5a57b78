/** The hook runtime's public surface: what the proxy, the admin API and the config loader use. */
export { createHookPlan } from './hook-registry.ts';
export type { HookRegistry, HookPlanDeps, ReloadResult, HookInfo } from './hook-registry.ts';
export { validateHookConfig, HOOK_DEFAULTS } from './hook-config.ts';
export type { HookConfig, HookRoute, HookCircuitConfig, ConfigIssue } from './hook-config.ts';
