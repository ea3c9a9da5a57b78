import { describe, expect, it } from 'vitest';
import { planRestart } from '../../../src/cluster/restart-backoff.ts';
import { resolveWorkerCount } from '../../../src/cluster/worker-count.ts';

describe('planRestart', () => {
  const policy = { baseMs: 100, maxMs: 1000, stableMs: 10_000 };

  it.each([
    ['a worker that ran a long while: at once, count reset', 3, 60_000, { quickCrashes: 0, delayMs: 0 }],
    ['a first quick crash: the base delay', 0, 50, { quickCrashes: 1, delayMs: 100 }],
    ['a third quick crash in a row: doubled twice', 2, 50, { quickCrashes: 3, delayMs: 400 }],
    ['a crash loop: capped', 10, 50, { quickCrashes: 11, delayMs: 1000 }],
    ['just under the stable run: still quick', 0, 9_999, { quickCrashes: 1, delayMs: 100 }],
  ] as const)('%s', (_name, previous, lived, expected) => {
    expect(planRestart(previous, lived, policy)).toEqual(expected);
  });
});

describe('resolveWorkerCount', () => {
  it('takes a number as it is and auto as the usable CPUs', () => {
    expect(resolveWorkerCount(3, () => 8)).toBe(3);
    expect(resolveWorkerCount('auto', () => 8)).toBe(8);
    expect(resolveWorkerCount('auto', () => 0)).toBe(1);
  });
});
