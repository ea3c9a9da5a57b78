/** Passive ejection, active checks and how each brings a parent back, over a clock moved by hand. */
import { describe, expect, it } from 'vitest';
import { createParentHealth, type HealthChange } from '../../../src/origin/parent-health.ts';

function setup(ejectAfter = 3, ejectForMs = 1000) {
  let now = 0;
  const changes: [string, HealthChange][] = [];
  const health = createParentHealth(['a', 'b'], { ejectAfter, ejectForMs }, { monotonic: () => now }, (id, change) => changes.push([id, change]));
  return { health, changes, advance: (ms: number) => { now += ms; } };
}

describe('createParentHealth', () => {
  it('ejects a parent after ejectAfter consecutive failures, for ejectForMs, then readmits it', () => {
    const { health, changes, advance } = setup(3, 1000);
    health.failed('a', 'EH_ORIGIN_CONNECT');
    health.failed('a', 'EH_ORIGIN_CONNECT');
    expect(health.isAvailable('a')).toBe(true);
    health.failed('a', 'EH_ORIGIN_CONNECT');
    expect(health.isAvailable('a')).toBe(false);
    expect(health.isAvailable('b')).toBe(true);
    advance(999);
    expect(health.isAvailable('a')).toBe(false);
    advance(1);
    expect(health.isAvailable('a')).toBe(true);
    expect(changes).toEqual([
      ['a', { event: 'ejected', cause: 'failures', reason: 'EH_ORIGIN_CONNECT' }],
      ['a', { event: 'readmitted', cause: 'expired' }],
    ]);
  });

  it('counts only consecutive failures: a success in between starts the count again', () => {
    const { health } = setup(2);
    health.failed('a', 'x');
    health.succeeded('a');
    health.failed('a', 'x');
    expect(health.isAvailable('a')).toBe(true);
    health.failed('a', 'x');
    expect(health.isAvailable('a')).toBe(false);
  });

  it('ejects on a failed check until a check passes, however long that takes', () => {
    const { health, changes, advance } = setup();
    health.checked('a', false, 'status 503');
    health.checked('a', false, 'status 503');
    advance(60_000);
    expect(health.isAvailable('a')).toBe(false);
    health.checked('a', true, 'status 200');
    expect(health.isAvailable('a')).toBe(true);
    expect(changes).toEqual([
      ['a', { event: 'ejected', cause: 'health-check', reason: 'status 503' }],
      ['a', { event: 'readmitted', cause: 'health-check' }],
    ]);
  });

  it('lets a passing check end a passive ejection early (Envoy\'s uneject on active health check)', () => {
    const { health, changes } = setup(1, 60_000);
    health.failed('a', 'EH_ORIGIN_TIMEOUT');
    expect(health.isAvailable('a')).toBe(false);
    health.checked('a', true, 'status 200');
    expect(health.isAvailable('a')).toBe(true);
    expect(changes.map(([, c]) => c.event)).toEqual(['ejected', 'readmitted']);
  });

  it('keeps a parent out while its check fails even after the passive ejection has run out', () => {
    const { health, advance, changes } = setup(1, 100);
    health.failed('a', 'x');
    health.checked('a', false, 'connect refused');
    advance(200);
    expect(health.isAvailable('a')).toBe(false);
    expect(changes.map(([, c]) => c.event)).toEqual(['ejected']);
  });

  it('reports nothing for passing checks of a healthy parent', () => {
    const { health, changes } = setup();
    health.checked('a', true, 'status 200');
    expect(changes).toEqual([]);
  });
});
