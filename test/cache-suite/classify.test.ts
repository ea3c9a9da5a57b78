import { describe, expect, it } from 'vitest';
import { classify, classifyAll, gatedPassCount, summarize, type RawResults, type SuiteTest } from './classify.ts';

function suite(...tests: Array<Partial<SuiteTest> & Pick<SuiteTest, 'id'>>): Map<string, SuiteTest> {
  return new Map(tests.map((t) => [t.id, { name: t.id, suite: 's', kind: 'required', dependsOn: [], ...t }]));
}

describe('classify (mirrors http-cache-tests lib/display.mjs)', () => {
  const tests = suite(
    { id: 'req' },
    { id: 'opt', kind: 'optimal' },
    { id: 'chk', kind: 'check' },
    { id: 'dep', dependsOn: ['opt'] },
  );
  const cases: Array<[string, RawResults, string]> = [
    ['req', { req: true }, 'pass'],
    ['req', { req: ['Assertion', 'x'] }, 'fail'],
    ['req', { req: ['FetchError', 'x'] }, 'fail'],
    ['req', { req: ['Setup', 'x'] }, 'setup_fail'],
    ['req', { req: ['Setup', 'retry'] }, 'retry'],
    ['req', { req: false }, 'harness_fail'],
    ['req', {}, 'untested'],
    ['opt', { opt: ['Assertion', 'x'] }, 'optional_fail'],
    ['chk', { chk: true }, 'yes'],
    ['chk', { chk: ['Assertion', 'x'] }, 'no'],
    ['dep', { dep: true, opt: ['Assertion', 'x'] }, 'dependency_fail'],
    ['dep', { dep: true, opt: true }, 'pass'],
  ];
  it.each(cases)('%s with %j is %s', (id, results, expected) => {
    expect(classify(tests, results, id)).toBe(expected);
  });

  it.each<[string, RawResults, string]>([
    ['req', { req: ['Assertion', 'x'] }, 'superseded'],
    ['req', { req: true }, 'pass'],
    ['dep', { dep: ['Assertion', 'x'], opt: ['Assertion', 'x'] }, 'dependency_fail'],
  ])('%s with %j is %s when its expectation is superseded', (id, results, expected) => {
    const superseded = new Map([[id, 'reversed upstream']]);
    expect(classify(tests, results, id, superseded)).toBe(expected);
  });

  it('counts superseded tests neither as passes nor as failures, and says why', () => {
    const classified = classifyAll(tests, { req: ['Assertion', 'stale'], opt: true, chk: true, dep: true }, new Map([['req', 'RFC says so']]));
    expect(classified.find((t) => t.id === 'req')?.detail).toBe('RFC says so — Assertion: stale');
    const summary = summarize(classified);
    expect(summary.required).toMatchObject({ total: 2, passed: 1, failed: 0, byOutcome: { superseded: 1, pass: 1 } });
  });

  it('summarizes per category and gates on required + optional passes', () => {
    const results: RawResults = { req: true, opt: ['Assertion', 'x'], chk: true, dep: true };
    const summary = summarize(classifyAll(tests, results));
    expect(summary.required).toMatchObject({ total: 2, passed: 1, failed: 1 });
    expect(summary.required.byOutcome).toEqual({ pass: 1, dependency_fail: 1 });
    expect(summary.optional).toMatchObject({ total: 1, passed: 0, failed: 1 });
    expect(summary.other).toMatchObject({ total: 1, passed: 1, failed: 0 });
    expect(gatedPassCount(summary)).toBe(1);
  });
});
