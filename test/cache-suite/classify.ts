/**
 * Turn http-cache-tests' raw client output into outcomes, exactly as the suite's own report does
 * (`lib/display.mjs` → `determineTestResult`, the logic behind cache-tests.fyi), so our counts are
 * comparable with the published tables. Pure: no I/O.
 */

/** `kind` as the suite declares it; a test without one is required. */
export type TestKind = 'required' | 'optimal' | 'check';

/** How we report: required conformance, optional ("optimal") behaviour, and informational checks. */
export type Category = 'required' | 'optional' | 'other';

export type Outcome =
  | 'pass' | 'fail' | 'optional_fail' | 'yes' | 'no'
  | 'setup_fail' | 'harness_fail' | 'dependency_fail' | 'retry' | 'untested'
  /** Not passing because the suite version's expectation was later reversed (superseded.ts). */
  | 'superseded';

export interface SuiteTest {
  readonly id: string;
  readonly name: string;
  readonly suite: string;
  readonly kind: TestKind;
  readonly dependsOn: readonly string[];
}

/** The client's JSON: `true`, or `[errorName, message]` ("Assertion", "Setup", "FetchError", …). */
export type RawResult = true | false | readonly [string, string];
export type RawResults = Readonly<Record<string, RawResult>>;

export const OUTCOME_SYMBOL: Readonly<Record<Outcome, string>> = {
  pass: '✅', fail: '⛔️', optional_fail: '⚠️', yes: 'Y', no: 'N', setup_fail: '🔹',
  harness_fail: '⁉️', dependency_fail: '⚪️', retry: '↻', untested: '-', superseded: '⤳',
};

/** Test id → why its expectation no longer holds; empty for suite versions without such tests. */
export type Superseded = ReadonlyMap<string, string>;

const NONE_SUPERSEDED: Superseded = new Map();

const PASSING: ReadonlySet<Outcome> = new Set(['pass', 'yes']);

export function categoryOf(kind: TestKind): Category {
  if (kind === 'required') return 'required';
  return kind === 'optimal' ? 'optional' : 'other';
}

export function isPassing(outcome: Outcome): boolean {
  return PASSING.has(outcome);
}

/**
 * One test's outcome; a dependency that did not pass makes the dependent a dependency failure.
 * A superseded test that does not pass is 'superseded' (one that passes is a plain pass).
 */
export function classify(tests: ReadonlyMap<string, SuiteTest>, results: RawResults, id: string, superseded: Superseded = NONE_SUPERSEDED): Outcome {
  const test = tests.get(id);
  if (test === undefined) throw new Error(`unknown test id ${id}`);
  const result = results[id];
  if (result === undefined) return 'untested';
  for (const dependency of test.dependsOn) {
    if (!isPassing(classify(tests, results, dependency, superseded))) return 'dependency_fail';
  }
  if (superseded.has(id) && result !== true) return 'superseded';
  if (Array.isArray(result) && result[0] === 'Setup') return result[1] === 'retry' ? 'retry' : 'setup_fail';
  if (result === false) return 'harness_fail';
  return outcomeForKind(test.kind, result === true);
}

function outcomeForKind(kind: TestKind, passed: boolean): Outcome {
  if (kind === 'required') return passed ? 'pass' : 'fail';
  if (kind === 'optimal') return passed ? 'pass' : 'optional_fail';
  return passed ? 'yes' : 'no';
}

export interface CategoryCounts {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly byOutcome: Readonly<Partial<Record<Outcome, number>>>;
}

export type Summary = Readonly<Record<Category, CategoryCounts>>;

export interface ClassifiedTest extends SuiteTest {
  readonly category: Category;
  readonly outcome: Outcome;
  /** The client's failure message, when there is one. */
  readonly detail: string | null;
}

export function classifyAll(tests: ReadonlyMap<string, SuiteTest>, results: RawResults, superseded: Superseded = NONE_SUPERSEDED): ClassifiedTest[] {
  return [...tests.values()].map((test) => {
    const raw = results[test.id];
    const outcome = classify(tests, results, test.id, superseded);
    const message = Array.isArray(raw) ? `${raw[0]}: ${raw[1]}` : null;
    return {
      ...test,
      category: categoryOf(test.kind),
      outcome,
      detail: outcome === 'superseded' ? `${superseded.get(test.id)} — ${message ?? 'failed'}` : message,
    };
  });
}

/** Per category: passed = ✅ or Y; failed = everything else that was run (untested and superseded are neither). */
export function summarize(classified: readonly ClassifiedTest[]): Summary {
  const empty = (): { total: number; passed: number; failed: number; byOutcome: Partial<Record<Outcome, number>> } =>
    ({ total: 0, passed: 0, failed: 0, byOutcome: {} });
  const summary = { required: empty(), optional: empty(), other: empty() };
  for (const test of classified) {
    const counts = summary[test.category];
    counts.total += 1;
    counts.byOutcome[test.outcome] = (counts.byOutcome[test.outcome] ?? 0) + 1;
    if (isPassing(test.outcome)) counts.passed += 1;
    else if (test.outcome !== 'untested' && test.outcome !== 'superseded') counts.failed += 1;
  }
  return summary;
}

/** The number the baseline guards: conformance-relevant passes (required + optional), not checks. */
export function gatedPassCount(summary: Summary): number {
  return summary.required.passed + summary.optional.passed;
}

/** Tests left out of the counts because their expectation was reversed upstream (superseded.ts). */
export function supersededCount(summary: Summary): number {
  return (['required', 'optional', 'other'] as const).reduce((n, category) => n + (summary[category].byOutcome.superseded ?? 0), 0);
}
