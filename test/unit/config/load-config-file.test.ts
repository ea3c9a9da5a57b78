import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { loadConfigFile } from '../../../src/config/load.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgehook-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

/** The message loadConfigFile throws, with the temp file's path replaced by its base name. */
async function failure(name: string, text: string, env: Record<string, string> = {}): Promise<string> {
  const file = await write(name, text);
  const error = await loadConfigFile(file, { env }).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as Error).message.replaceAll(file, name);
}

describe('loadConfigFile (YAML)', () => {
  it('loads a valid file', async () => {
    const file = await write('ok.yaml', 'origin:\n  url: http://127.0.0.1:9001\nlisten: 0.0.0.0:80\n');
    const config = await loadConfigFile(file, { env: {} });
    expect(config.origin.url).toBe('http://127.0.0.1:9001');
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 80 });
  });

  it('reports every problem with file:line and key path, in file order', async () => {
    const text = [
      'origin:', //                               1
      '  url: http://127.0.0.1:9001', //          2
      '  conect_timeout: 2s', //                  3
      'listen: 127.0.0.1:8080', //                4
      'cache:', //                                5
      '  memory:', //                             6
      '    max_bytes: lots', //                   7
      '    maxEntries: 5', //                     8
      '  disk: { max_bytes: 1GiB }', //           9
      'log:', //                                  10
      '  level: verbose', //                      11
      'proxy:', //                                12
      '  trusted_proxies:', //                    13
      '    - 10.0.0.0/8', //                      14
      '    - 300.1.1.1', //                       15
      'hooks:', //                                16
      '  - name: auth', //                        17
      '    module: ./auth.wasm', //               18
      '    phases: [on-requst]', //               19
    ].join('\n');
    expect(await failure('edgehook.yaml', text)).toBe([
      'invalid configuration in edgehook.yaml (7 problems):',
      '  edgehook.yaml:3: origin.conect_timeout: unknown key (did you mean "connect_timeout"?)',
      '  edgehook.yaml:7: cache.memory.max_bytes: expected a size like "64MiB", got "lots"',
      '  edgehook.yaml:8: cache.memory.maxEntries: unknown key (did you mean "max_entries"?)',
      '  edgehook.yaml:9: cache.disk.path: expected a file path, got nothing (the key is required)',
      '  edgehook.yaml:11: log.level: expected one of "debug", "info", "warn", "error", got "verbose"',
      '  edgehook.yaml:15: proxy.trusted_proxies[1]: expected an IP address or CIDR range like "10.0.0.0/8", got "300.1.1.1"',
      '  edgehook.yaml:19: hooks[0].phases[0]: expected one of "on-request", "on-origin-response", "on-response", got "on-requst" (did you mean "on-request"?)',
    ].join('\n'));
  });

  it('points a missing key at the mapping that should hold it', async () => {
    const message = await failure('missing.yaml', '# no url yet\norigin:\n  connect_timeout: 1s\n');
    expect(message).toContain('missing.yaml:2: origin.url: expected an http/https URL');
  });

  it('reports a missing section without a line', async () => {
    expect(await failure('empty.yaml', '')).toBe(
      'invalid configuration in empty.yaml (1 problem):\n  empty.yaml: origin: expected a mapping, got nothing (the key is required)',
    );
  });

  it('finds lines through flow mappings and anchors', async () => {
    const text = 'base: &timeouts { connect_timeout: 1s }\n';
    const message = await failure('anchor.yaml', `origin: { url: "http://x:1", connections: many }\n${text}`);
    expect(message).toContain('anchor.yaml:1: origin.connections: expected an integer >= 1, got "many"');
    expect(message).toContain('anchor.yaml:2: base: unknown key');
  });

  it.each([
    ['an unclosed flow sequence', 'origin:\n  url: http://x:1\nproxy:\n  trusted_proxies: [10.0.0.0/8,\nlog: {}\n', 'bad-flow.yaml:5:1: '],
    ['a duplicate key', 'origin:\n  url: http://x:1\norigin:\n  url: http://y:1\n', 'dup.yaml:3:1: Map keys must be unique'],
    ['a tab indent', 'origin:\n\turl: http://x:1\n', 'tab.yaml:2:1: '],
  ])('reports a YAML syntax error (%s) with file:line:col', async (_name, text, expected) => {
    const name = expected.slice(0, expected.indexOf(':'));
    const message = await failure(name, text);
    expect(message).toMatch(new RegExp(`^invalid YAML in ${name} \\(\\d+ problems?\\):\\n`));
    expect(message).toContain(`  ${expected}`);
  });

  // Found by test/unit/property/config-validate.property.test.ts: each of these documents made loading
  // throw a bare ReferenceError or RangeError (a stack trace, exit code 1), named no line, or passed
  // unseen, instead of naming the problem at its line.
  it.each([
    ['an alias with no anchor before it', 'unresolved.yaml', 'origin: { url: "http://x:1" }\nlog: *nope\n',
      'unresolved.yaml:2:6: expected an anchor &nope before the alias *nope, got none'],
    ['an alias bomb', 'bomb.yaml', [
      'origin: { url: "http://x:1" }',
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdef'.split('').map((name, i) => `${name}: &${name} [${Array(10).fill(`*${'abcdef'[i]}`).join(', ')}]`),
    ].join('\n'), 'bomb.yaml:3:8: expected at most 100 alias expansions, got more (an alias bomb?)'],
    ['a hook config that contains itself', 'cycle.yaml', 'origin: { url: "http://x:1" }\nhooks:\n  - name: a\n    module: ./a.wasm\n    phases: [on-request]\n    config: &c { self: *c }\n',
      'cycle.yaml:6: hooks[0].config.self: expected a JSON-compatible value, got a mapping that contains itself (through an alias)'],
    ['a mapping key that is a collection', 'complex-key.yaml', 'origin: { url: "http://x:1" }\n? [a, b]\n: 1\n',
      'complex-key.yaml:2: [ a, b ]: unknown key'],
    ['a tagged timestamp where a mapping belongs (it loaded as an empty mapping)', 'tagged.yaml', 'origin: { url: "http://x:1" }\ncache: !!timestamp 2001-12-14\n',
      'tagged.yaml:2: cache: expected a mapping, got a timestamp (!!timestamp)'],
    ['a binary document (each byte was an unknown key)', 'binary.yaml', '!!binary 10\n',
      'binary.yaml: expected a mapping, got binary data (!!binary)'],
    ['a geo group named __proto__ (it was dropped unseen)', 'proto.yaml', 'origin: { url: "http://x:1" }\ngeo:\n  groups:\n    __proto__: [GB]\n',
      'proto.yaml:4: geo.groups.__proto__: expected a group name like "eu"'],
  ])('reports %s with its line', async (_what, name, text, expected) => {
    expect(await failure(name, text)).toContain(`  ${expected}`);
  });

  it('resolves relative paths against the config file directory', async () => {
    const file = await write('paths.yml', 'origin: { url: "http://x:1" }\ncache: { disk: { path: ./store } }\nhooks: [{ name: a, module: hooks/a.wasm, phases: [on-request] }]\n');
    const config = await loadConfigFile(file, { env: {} });
    expect(config.cache.disk?.path).toBe(join(dir, 'store'));
    expect(config.hooks[0]?.module).toBe(join(dir, 'hooks/a.wasm'));
  });

  it('reads admin.token_env once, from the environment given', async () => {
    const file = await write('token.yaml', 'origin: { url: "http://x:1" }\nadmin: { host: 0.0.0.0, token_env: EH_ADMIN }\n');
    expect((await loadConfigFile(file, { env: { EH_ADMIN: 'tok' } })).admin?.token).toBe('tok');
    const error = await loadConfigFile(file, { env: {} }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`${file}:2: admin.token_env: expected environment variable EH_ADMIN to hold the admin token, got an unset variable`);
  });
});

describe('loadConfigFile (JSON)', () => {
  it('loads a valid file', async () => {
    const file = await write('ok.json', JSON.stringify({ origin: { url: 'https://example.com' }, cache: { sort_query: true } }));
    const config = await loadConfigFile(file, { env: {} });
    expect(config.cache.sortQuery).toBe(true);
  });

  it('gives lines for invalid values', async () => {
    const text = '{\n  "origin": { "url": "http://x:1" },\n  "cache": {\n    "memory": { "max_bytes": "lots" }\n  }\n}\n';
    expect(await failure('bad.json', text)).toContain('bad.json:4: cache.memory.max_bytes: expected a size like "64MiB", got "lots"');
  });

  it('gives file:line:col for a syntax error when the parser names an offset', async () => {
    const message = await failure('syntax.json', '{\n  "origin": { "url": "http://x:1" }\n  "log": {}\n}\n');
    expect(message).toBe("invalid JSON in syntax.json (1 problem):\n  syntax.json:3:3: invalid JSON: Expected ',' or '}' after property value");
  });

  it('still reports a syntax error the parser gives no offset for', async () => {
    const message = await failure('trailing.json', '{ "origin": { "url": "http://x:1" }, }');
    expect(message).toMatch(/^invalid JSON in trailing\.json \(1 problem\):\n {2}trailing\.json(:\d+:\d+)?: invalid JSON: /);
  });
});

describe('loadConfigFile errors', () => {
  it('rejects an unknown extension', async () => {
    await expect(loadConfigFile(join(dir, 'edgehook.toml'))).rejects.toThrow(/edgehook\.toml: expected a \.yaml, \.yml or \.json config file, got "\.toml"/);
  });

  it('names a missing file', async () => {
    await expect(loadConfigFile(join(dir, 'nope.yaml'))).rejects.toThrow(/nope\.yaml: cannot read config file: ENOENT/);
  });
});

describe('loadConfigFile with overrides', () => {
  it('lets flags replace keys from the file before validation', async () => {
    const file = await write('base.yaml', 'origin: { url: "http://x:1" }\nlisten: { host: 0.0.0.0, port: 80 }\nadmin: { token: keep-me }\nlog: { level: warn }\n');
    const config = await loadConfigFile(file, {
      env: {},
      overrides: { origin: 'https://y', listen: '127.0.0.1:0', admin: '127.0.0.1:0', logLevel: 'debug' },
    });
    expect(config.origin.url).toBe('https://y');
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 0 });
    expect(config.admin).toEqual({ host: '127.0.0.1', port: 0, token: 'keep-me' });
    expect(config.log.level).toBe('debug');
  });

  it('fixes a bad key the flag replaces', async () => {
    const file = await write('fixed.yaml', 'origin: { url: "ftp://x" }\n');
    expect((await loadConfigFile(file, { env: {}, overrides: { origin: 'http://ok:1' } })).origin.url).toBe('http://ok:1');
  });

  it('does not blame a file line for a problem a flag caused', async () => {
    const file = await write('blame.yaml', 'origin: { url: "http://x:1" }\nadmin:\n  host: 127.0.0.1\n');
    const error = await loadConfigFile(file, { env: {}, overrides: { admin: '127.0.0.1:8080' } }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`  ${file}: admin: expected an address other than listen, got 127.0.0.1:8080 for both`);
  });
});
