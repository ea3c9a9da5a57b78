/** A parent's 5xx: its own failure (fail over, count it) or the origin's answer relayed (pass it on). */
import { describe, expect, it } from 'vitest';
import { classifyParentAnswer, lastMember, memberParameters, type ParentAnswer } from '../../../src/origin/parent-answer.ts';

describe('classifyParentAnswer', () => {
  it.each<[string, number, string | string[] | undefined, ParentAnswer]>([
    ['a 200', 200, 'shield; hit', 'ok'],
    ['a 404 relayed', 404, 'shield; fwd=uri-miss; fwd-status=404', 'ok'],
    ['a 4xx the parent made', 400, 'shield; fwd=miss; detail=EH_BAD_PATH', 'ok'],
    ['508: the request came back round through this parent', 508, 'edge; fwd=miss; detail=EH_LOOP_DETECTED', 'loop'],
    ['an origin 500 relayed (fwd-status)', 500, 'shield; fwd=uri-miss; fwd-status=500', 'ok'],
    ['an origin 503 passed through', 503, 'shield; fwd=bypass; fwd-status=503; detail=uncacheable', 'ok'],
    ['origin unreachable behind the parent', 502, 'shield; fwd=miss; detail=EH_ORIGIN_CONNECT', 'ok'],
    ['origin timed out behind the parent', 504, 'shield; fwd=miss; detail=EH_ORIGIN_TIMEOUT', 'ok'],
    ['the parent shedding load', 503, 'shield; detail=EH_OVERLOADED', 'parent-fault'],
    ['the parent shutting down', 503, 'shield; fwd=miss; detail=EH_SHUTTING_DOWN', 'parent-fault'],
    ['a 5xx without Cache-Status (not an edgehook, or a load balancer in front)', 502, undefined, 'parent-fault'],
    ['only the last member counts: the origin\'s own cache relayed, the parent failing', 503, 'origin-cache; fwd-status=200, shield; detail=EH_INTERNAL', 'parent-fault'],
    ['only the last member counts: the parent relayed', 500, ['origin-cache; detail=EH_INTERNAL', 'shield; fwd=miss; fwd-status=500'], 'ok'],
    ['a quoted comma does not split members', 503, 'shield; detail="EH_ORIGIN_CONNECT, really"', 'ok'],
    ['a quoted fwd-status text is not the parameter', 503, 'shield; detail="x; fwd-status=1"', 'parent-fault'],
  ])('%s', (_label, status, cacheStatus, expected) => {
    expect(classifyParentAnswer(status, cacheStatus === undefined ? {} : { 'cache-status': cacheStatus })).toBe(expected);
  });
});

describe('lastMember and memberParameters', () => {
  it('reads the last member and its parameters, unquoting strings', () => {
    const member = lastMember('a; hit, "b c"; fwd=uri-miss; key="x,\\"y"; stored');
    expect(member).toBe('"b c"; fwd=uri-miss; key="x,\\"y"; stored');
    expect([...memberParameters(member)]).toEqual([['fwd', 'uri-miss'], ['key', 'x,"y'], ['stored', '']]);
  });
});
