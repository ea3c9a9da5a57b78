/** Runs the schema over a raw config value and collects every problem (never throws). */
import { INVALID, type ConfigIssue } from './dsl/field.ts';
import { edgehookSchema } from './schema.ts';
import type { EdgehookConfig } from './types.ts';

export interface ValidateOptions {
  /** Directory relative paths are resolved against; omit to keep them as written. */
  readonly baseDir?: string;
  /** Environment for `*_env` keys; read once, here. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export type ValidationResult =
  | { readonly ok: true; readonly config: EdgehookConfig }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

export function validateConfig(raw: unknown, options: ValidateOptions): ValidationResult {
  const issues: ConfigIssue[] = [];
  const config = edgehookSchema.parse(raw, { path: [], issues, baseDir: options.baseDir, env: options.env });
  // Every INVALID comes with at least one issue; the second test is belt and braces.
  if (config === INVALID || issues.length > 0) return { ok: false, issues };
  return { ok: true, config };
}
