/** Human-readable output for a suite run. Returns lines; the caller prints. */
import { OUTCOME_SYMBOL, isPassing, type Category, type ClassifiedTest, type Summary } from './classify.ts';

const CATEGORIES: readonly Category[] = ['required', 'optional', 'other'];

/** One line per category in the plain "N passed, N failed" shape, then its outcome breakdown. */
export function formatSummary(summary: Summary): string[] {
  return CATEGORIES.flatMap((category) => {
    const counts = summary[category];
    const breakdown = Object.entries(counts.byOutcome)
      .map(([outcome, n]) => `${OUTCOME_SYMBOL[outcome as keyof typeof OUTCOME_SYMBOL]} ${outcome} ${n}`)
      .join(', ');
    return [`${category}: ${counts.passed} passed, ${counts.failed} failed`, `    of ${counts.total}: ${breakdown}`];
  });
}

/**
 * Failing required and optional tests, grouped. Informational checks answering "no" are not
 * failures, so they are left out.
 */
export function formatFailures(classified: readonly ClassifiedTest[]): string[] {
  const lines: string[] = [];
  for (const category of ['required', 'optional'] as const) {
    const failing = classified.filter((t) => t.category === category && !isPassing(t.outcome) && t.outcome !== 'untested' && t.outcome !== 'superseded');
    if (failing.length === 0) continue;
    lines.push(`failing ${category} tests (${failing.length}):`);
    for (const test of failing) {
      const detail = test.outcome === 'dependency_fail' ? `needs ${test.dependsOn.join(', ')}` : (test.detail ?? '');
      lines.push(`  ${OUTCOME_SYMBOL[test.outcome]} ${test.id} — ${oneLine(test.name)}${detail ? `  [${oneLine(detail)}]` : ''}`);
    }
  }
  return lines;
}

/** Tests whose expectation the suite later reversed (superseded.ts), and entries that no longer apply. */
export function formatSuperseded(classified: readonly ClassifiedTest[], superseded: ReadonlyMap<string, string>): string[] {
  const lines: string[] = [];
  const listed = classified.filter((t) => t.outcome === 'superseded');
  if (listed.length > 0) lines.push(`superseded expectations, not counted (${listed.length}):`);
  for (const test of listed) lines.push(`  ${OUTCOME_SYMBOL.superseded} ${test.id} — ${oneLine(test.detail ?? '')}`);
  const stale = classified.filter((t) => superseded.has(t.id) && t.outcome !== 'superseded');
  for (const test of stale) lines.push(`note: ${test.id} is listed in superseded.ts but is ${test.outcome} — remove the entry`);
  return lines;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
