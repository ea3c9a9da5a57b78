/** The fleet stream's entries and positions, as pure functions: table-driven. */
import { describe, expect, it } from 'vitest';
import { compareIds, parseFleetEntry, purgeFields } from '../../../src/fleet/fleet-entry.ts';
import { trimmedAfter } from '../../../src/fleet/fleet-follower.ts';
import { withDeploys } from '../../../src/fleet/hook-deploys.ts';
import { resolveConfig } from '../../../src/config/load.ts';

const SHA = 'a'.repeat(64);

describe('parseFleetEntry', () => {
  it.each([
    ['a purge by tag', { op: 'purge', kind: 'tag', value: 't' }, { op: 'purge', target: { kind: 'tag', value: 't' } }],
    ['a purge round-trips purgeFields', purgeFields({ kind: 'prefix', value: 'http://h/a/' }), { op: 'purge', target: { kind: 'prefix', value: 'http://h/a/' } }],
    ['a deploy', { op: 'deploy', hook: 'h', record: JSON.stringify({ sha256: SHA, config: { k: 1 } }) }, { op: 'deploy', hook: 'h', record: { sha256: SHA, config: { k: 1 } } }],
    ['a rollback to the config file', { op: 'rollback', hook: 'h', record: '{"sha256":null}' }, { op: 'rollback', hook: 'h', record: { sha256: null } }],
  ])('reads %s', (_name, fields, expected) => {
    expect(parseFleetEntry(fields)).toEqual(expected);
  });

  it.each([
    ['an unknown op', { op: 'explode' }, 'unknown op "explode"'],
    ['no op', {}, 'unknown op null'],
    ['a purge of an unknown kind', { op: 'purge', kind: 'all', value: 'x' }, 'a purge without a valid kind and value'],
    ['a purge without a value', { op: 'purge', kind: 'tag', value: '' }, 'a purge without a valid kind and value'],
    ['a deploy without a hook', { op: 'deploy', record: '{}' }, 'a deploy without a hook'],
    ['a deploy whose record is not JSON', { op: 'deploy', hook: 'h', record: '{' }, 'deploy of hook "h": its record is not JSON'],
    ['a deploy with a bad sha256', { op: 'deploy', hook: 'h', record: '{"sha256":"ABC"}' }, 'deploy of hook "h": its record has no valid sha256'],
  ])('refuses %s, saying why', (_name, fields, reason) => {
    expect(parseFleetEntry(fields as Record<string, string>)).toBe(reason);
  });
});

describe('compareIds', () => {
  it.each([
    ['1-0', '2-0', -1], ['2-0', '1-5', 1], ['5-1', '5-2', -1], ['5-2', '5-2', 0],
    // Numeric, not textual: 10 > 9, and sequence numbers past 2^53.
    ['10-0', '9-0', 1], ['1-18446744073709551615', '1-18446744073709551614', 1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareIds(a, b))).toBe(sign);
  });
});

describe('trimmedAfter (the gap check)', () => {
  const info = (lastGenerated: string, first: string | null): Record<string, unknown> => ({
    'last-generated-id': lastGenerated, 'first-entry': first === null ? null : [first, ['op', 'purge']],
  });
  it.each([
    ['nothing added after the position', '10-0', info('10-0', '5-0'), null],
    ['the stream still reaches back to the position', '10-0', info('20-0', '8-0'), null],
    ['the first retained entry is the position itself', '10-0', info('20-0', '10-0'), null],
    ['everything after the position was trimmed', '10-0', info('20-0', null), '20-0'],
    ['entries after the position were trimmed', '10-0', info('20-0', '15-3'), '15-2'],
    ['…read from just before the first retained entry', '10-0', info('20-0', '15-0'), '14-18446744073709551615'],
  ])('%s', (_name, position, stream, expected) => {
    expect(trimmedAfter(position, stream)).toBe(expected);
  });
});

describe('withDeploys', () => {
  const base = resolveConfig({ origin: { url: 'http://127.0.0.1:9' }, hooks: [
    { name: 'a', module: '/m/a.wasm', phases: ['on-request'], config: 'file' },
    { name: 'b', module: '/m/b.wasm', phases: ['on-request'] },
  ] }).hooks;

  it('puts the local module (pinned) and the config value over the file\'s, and leaves other hooks alone', () => {
    const hooks = withDeploys(base, new Map([['a', { record: { sha256: SHA, config: 'fleet' }, modulePath: `/cache/${SHA}.wasm` }]]));
    expect(hooks[0]).toMatchObject({ name: 'a', module: `/cache/${SHA}.wasm`, sha256: SHA, config: 'fleet', phases: ['on-request'] });
    expect(hooks[1]).toBe(base[1]);
  });

  it('a record without a module keeps the file\'s module and may still change the config', () => {
    const hooks = withDeploys(base, new Map([['a', { record: { sha256: null, config: 'other' }, modulePath: null }]]));
    expect(hooks[0]).toMatchObject({ module: '/m/a.wasm', config: 'other' });
  });
});
