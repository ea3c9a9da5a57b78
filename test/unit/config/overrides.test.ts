import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { applyOverrides, configFromFlags } from '../../../src/config/load.ts';

describe('applyOverrides', () => {
  it('replaces the keys the flags name and leaves the input untouched', () => {
    const raw = { origin: { url: 'http://a:1', connections: 4 }, listen: { host: '0.0.0.0', port: 80 }, log: { level: 'warn' } };
    const copy = structuredClone(raw);
    expect(applyOverrides(raw, { origin: 'http://b:2', listen: '127.0.0.1:0', logLevel: 'debug' })).toEqual({
      origin: { url: 'http://b:2', connections: 4 },
      listen: '127.0.0.1:0',
      log: { level: 'debug' },
    });
    expect(raw).toEqual(copy);
  });

  it.each([
    ['keeps the token when moving the admin API', { token_env: 'T' }, '10.0.0.1:9000', { token_env: 'T', host: '10.0.0.1', port: 9000 }],
    ['replaces an admin shorthand', '127.0.0.1:9090', '127.0.0.1:9191', { host: '127.0.0.1', port: 9191 }],
    ['turns a disabled admin API back on', false, '127.0.0.1:9191', { host: '127.0.0.1', port: 9191 }],
    ['turns the admin API off', { token: 'x' }, 'off', false],
  ] as const)('%s', (_name, admin, flag, expected) => {
    expect(applyOverrides({ admin }, { admin: flag })).toEqual({ admin: expected });
  });

  it.each([
    ['sets the token on an admin mapping, replacing token_env', { port: 9000, token_env: 'T' }, { port: 9000, token: 's3cret' }],
    ['turns a shorthand into a mapping to carry it', '10.0.0.1:9000', { host: '10.0.0.1', port: 9000, token: 's3cret' }],
    ['guards the default admin API', undefined, { token: 's3cret' }],
  ] as const)('--admin-token %s', (_name, admin, expected) => {
    expect(applyOverrides(admin === undefined ? {} : { admin }, { adminToken: 's3cret' })).toEqual({ admin: expected });
  });

  it('refuses --admin-token when the file turns the admin API off', () => {
    expect(() => applyOverrides({ admin: false }, { adminToken: 's3cret' })).toThrow('--admin-token: the admin API is off');
  });

  it.each([['4', 4], ['auto', 'auto']] as const)('--workers %s replaces workers', (flag, expected) => {
    expect(applyOverrides({ workers: 2 }, { workers: flag })).toEqual({ workers: expected });
  });

  it('starts from an empty mapping for an empty file', () => {
    expect(applyOverrides(null, { origin: 'http://a:1' })).toEqual({ origin: { url: 'http://a:1' } });
  });

  it('leaves a root that is not a mapping for validation to report', () => {
    expect(applyOverrides(['x'], { origin: 'http://a:1' })).toEqual(['x']);
  });

  it('names every bad flag in one error', () => {
    expect(() => applyOverrides({}, { origin: 'example.com', listen: 'port8080', admin: 'on', logLevel: 'loud', workers: 'many' })).toThrow([
      'invalid command-line flags (5 problems):',
      '  --origin: expected an http/https URL like "http://127.0.0.1:9001", got "example.com"',
      '  --listen: expected HOST:PORT like "127.0.0.1:8080", got "port8080"',
      '  --admin: expected HOST:PORT like "127.0.0.1:8080", got "on"',
      '  --log-level: expected one of "debug", "info", "warn", "error", got "loud"',
      '  --workers: expected "auto" or an integer from 1 to 256, got "many"',
    ].join('\n'));
  });
});

describe('configFromFlags', () => {
  it('builds a full config from flags alone', () => {
    const config = configFromFlags({ origin: 'http://127.0.0.1:9001', listen: '127.0.0.1:0', admin: 'off' }, { env: {} });
    expect(config.origin.url).toBe('http://127.0.0.1:9001');
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 0 });
    expect(config.admin).toBeNull();
    expect(config.cache.memory.maxBytes).toBe(256 * 2 ** 20);
  });

  it('needs an origin', () => {
    expect(() => configFromFlags({ listen: '127.0.0.1:0' })).toThrow(ConfigError);
    expect(() => configFromFlags({ listen: '127.0.0.1:0' })).toThrow('no origin: pass --origin URL, or --config FILE');
  });

  it('still catches mistakes that span keys', () => {
    expect(() => configFromFlags({ origin: 'http://127.0.0.1:8080' }, { env: {} })).toThrow(
      'origin.url: expected an origin other than edgehook itself, got "http://127.0.0.1:8080" (listen is 127.0.0.1:8080)',
    );
  });
});
