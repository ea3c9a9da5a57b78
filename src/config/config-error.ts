/**
 * The error a bad config raises: one ConfigError whose message lists every problem, one per
 * line, as `file:line: key.path: expected …, got …`, with the problems also kept as data.
 */
import { ConfigError } from '../errors.ts';
import { formatKeyPath, type ConfigIssue, type KeyPath } from './dsl/field.ts';

export interface LocatedIssue extends ConfigIssue {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

export class ConfigValidationError extends ConfigError {
  readonly issues: readonly LocatedIssue[];

  constructor(issues: readonly LocatedIssue[], subject = 'configuration') {
    const lines = issues.map((issue) => `  ${formatIssue(issue)}`);
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`invalid ${subject} (${count}):\n${lines.join('\n')}`);
    this.name = 'ConfigValidationError';
    this.issues = issues;
  }
}

/** `edgehook.yaml:12: cache.memory.max_bytes: expected …` (location parts left out when unknown). */
export function formatIssue(issue: LocatedIssue): string {
  const location = [issue.file, issue.line, issue.line === undefined ? undefined : issue.column].filter((part) => part !== undefined);
  const path = formatKeyPath(issue.path);
  return [location.length === 0 ? '' : `${location.join(':')}: `, path === '' ? '' : `${path}: `, issue.message].join('');
}

/** Attaches file and line to each issue, then orders them as they appear in the file. */
export function locateIssues(
  issues: readonly ConfigIssue[],
  file: string | undefined,
  lineOf: ((path: KeyPath) => number | undefined) | undefined,
): LocatedIssue[] {
  const located = issues.map((issue): LocatedIssue => {
    const line = lineOf?.(issue.path);
    return { ...issue, ...(file === undefined ? {} : { file }), ...(line === undefined ? {} : { line }) };
  });
  // Stable sort: by line, issues with no line (e.g. a missing section) last, schema order otherwise.
  return located.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}
