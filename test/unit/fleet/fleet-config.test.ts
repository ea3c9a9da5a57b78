/** The `fleet:` config section: off by default, defaults when on, errors naming the key. */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../src/config/load.ts';
import { ConfigValidationError, formatIssue } from '../../../src/config/config-error.ts';

const ORIGIN = { url: 'http://127.0.0.1:9001' };

function problems(raw: Record<string, unknown>): string[] {
  try {
    resolveConfig({ origin: ORIGIN, ...raw }, { env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as ConfigValidationError).issues.map(formatIssue);
  }
  throw new Error('expected the config to be rejected');
}

describe('fleet config', () => {
  it('is off unless configured, and false turns it off', () => {
    expect(resolveConfig({ origin: ORIGIN }).fleet).toBeNull();
    expect(resolveConfig({ origin: ORIGIN, fleet: false }).fleet).toBeNull();
  });

  it('fills the defaults around the Redis URL', () => {
    expect(resolveConfig({ origin: ORIGIN, fleet: { redis: 'rediss://user:pw@redis.internal:6380/2' } }).fleet).toEqual({
      redis: 'rediss://user:pw@redis.internal:6380/2', sentinel: null, stream: 'edgehook:fleet', nodeId: null, maxEntries: 100_000, applyWait: 5000, reportTtl: 7 * 86_400_000,
    });
  });

  it('reads sentinels as HOST:PORT', () => {
    const fleet = resolveConfig({ origin: ORIGIN, fleet: { redis: 'redis://:pw@unused:6379', sentinel: { master: 'm', nodes: ['10.0.0.1:26379', '[::1]:26380'] } } }).fleet;
    expect(fleet?.sentinel).toEqual({ master: 'm', nodes: [{ host: '10.0.0.1', port: 26379 }, { host: '::1', port: 26380 }] });
  });

  it.each([
    ['no sentinels', { fleet: { redis: 'redis://r:6379', sentinel: { master: 'm', nodes: [] } } }, 'fleet.sentinel.nodes'],
    ['no Redis URL', { fleet: {} }, 'fleet.redis: expected an redis/rediss URL like "redis://127.0.0.1:9001", got nothing (the key is required)'],
    ['an http URL', { fleet: { redis: 'http://127.0.0.1:6379' } }, 'fleet.redis: expected an redis/rediss URL'],
    ['a stream with spaces', { fleet: { redis: 'redis://r:6379', stream: 'a b' } }, 'fleet.stream: expected a Redis key'],
    ['a tiny stream bound', { fleet: { redis: 'redis://r:6379', max_entries: 5 } }, 'fleet.max_entries'],
    ['an unknown key', { fleet: { redis: 'redis://r:6379', strem: 'x' } }, 'fleet.strem: unknown key'],
  ])('refuses %s, naming the key', (_name, raw, message) => {
    expect(problems(raw).join('\n')).toContain(message);
  });
});
