/** The bounded set of stream contexts a filter instance keeps open between a request's phases. */
import { describe, expect, it } from 'vitest';
import { OpenContexts } from '../../src/hook-runtime/proxy-wasm/open-contexts.ts';

describe('open stream contexts', () => {
  it('hand a request its own context once', () => {
    const open = new OpenContexts(4);
    const a = {};
    const b = {};
    open.keep(a, 2);
    open.keep(b, 3);
    expect(open.take(b)).toBe(3);
    expect(open.take(b)).toBeUndefined();
    expect(open.take({})).toBeUndefined();
    expect(open.take(a)).toBe(2);
    expect(open.size).toBe(0);
  });

  it('give back the oldest past the bound, which its request then no longer finds', () => {
    const open = new OpenContexts(2);
    const requests = [{}, {}, {}];
    expect(open.keep(requests[0]!, 10)).toBeUndefined();
    expect(open.keep(requests[1]!, 11)).toBeUndefined();
    expect(open.keep(requests[2]!, 12)).toBe(10);
    expect(open.take(requests[0]!)).toBeUndefined();
    expect(open.drain()).toEqual([11, 12]);
    expect(open.size).toBe(0);
  });
});
