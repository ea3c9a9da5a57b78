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
    const failing = classified.filter((t) => t.category === category && !isPassing(t.outcome) && t.outcome !== 'untested');
    if (failing.length === 0) continue;
    lines.push(`failing ${category} tests (${failing.length}):`);
    for (const test of failing) {
      const detail = test.outcome === 'dependency_fail' ? `needs ${test.dependsOn.join(', ')}` : (test.detail ?? '');
      lines.push(`  ${OUTCOME_SYMBOL[test.outcome]} ${test.id} — ${oneLine(test.name)}${detail ? `  [${oneLine(detail)}]` : ''}`);
    }
  }
  return lines;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
