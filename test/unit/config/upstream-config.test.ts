/** The `upstream` section: parents resolved with their ids, and every mistake named by its key. */
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, formatIssue } from '../../../src/config/config-error.ts';
import { resolveConfig } from '../../../src/config/load.ts';

const ORIGIN = { url: 'http://127.0.0.1:9001' };

function problems(raw: unknown): string[] {
  try {
    resolveConfig(raw, { env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as ConfigValidationError).issues.map(formatIssue);
  }
  throw new Error('expected the config to be rejected');
}

describe('upstream.parents', () => {
  it('resolves each parent: id defaults to HOST:PORT, url loses a trailing slash', () => {
    const config = resolveConfig({
      origin: ORIGIN,
      upstream: { parents: [{ url: 'http://10.0.0.7:8080/' }, { url: 'https://shield.example', id: 'shield-b', weight: 2, cdn_id: 'shield.cdn.example', health_url: 'http://10.0.0.8:9090/healthz' }] },
    }, { env: {} });
    expect(config.upstream.parents).toEqual([
      { url: 'http://10.0.0.7:8080', id: '10.0.0.7:8080', weight: 1, cdnId: null, healthUrl: null },
      { url: 'https://shield.example', id: 'shield-b', weight: 2, cdnId: 'shield.cdn.example', healthUrl: 'http://10.0.0.8:9090/healthz' },
    ]);
  });

  it.each([
    [{ parents: [{ url: 'http://10.0.0.7:8080/prefix' }] }, 'upstream.parents[0].url: expected a parent URL without a path'],
    [{ parents: [{ url: 'ftp://10.0.0.7' }] }, 'upstream.parents[0].url: expected an http/https URL'],
    [{ parents: [{ url: 'http://a:1', id: 'x' }, { url: 'http://b:1', id: 'x' }] }, 'upstream.parents[1].id: expected each parent once, got a second parent with id x'],
    [{ parents: [{ url: 'http://a:1' }, { url: 'http://a:1/' }] }, 'upstream.parents[1].id: expected each parent once'],
    [{ parents: [{ url: 'http://127.0.0.1:8080' }] }, 'upstream.parents[0].url: expected a parent other than this node'],
    [{ parents: [{ url: 'http://a:1', weight: 0 }] }, 'upstream.parents[0].weight:'],
    [{ parents: [{ url: 'http://a:1', wieght: 2 }] }, 'upstream.parents[0].wieght: unknown key (did you mean "weight"?)'],
    [{ eject_after: 0 }, 'upstream.eject_after:'],
    [{ parents: [{ url: 'http://a:1', cdn_id: 'edgehook' }] }, 'upstream.parents[0].cdn_id: expected a cdn_id other than this node\'s proxy.cdn_loop.cdn_id (edgehook)'],
  ])('refuses %j', (upstream, message) => {
    const found = problems({ origin: ORIGIN, listen: '127.0.0.1:8080', upstream });
    expect(found.some((line) => line.startsWith(message)), found.join('\n')).toBe(true);
  });
});
