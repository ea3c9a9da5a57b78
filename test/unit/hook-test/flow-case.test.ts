/**
 * Flow test files are checked before anything runs: each mistake names the file, the case and
 * the key (table-driven), and the forms a file may take all read the same.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlowFile } from '../../../src/hook-test/flow-case.ts';

let dir = '';
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'edgehook-flow-case-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

async function parse(name: string, text: string) {
  const file = join(dir, name);
  await writeFile(file, text);
  return { file, cases: () => parseFlowFile(file) };
}

describe('parseFlowFile', () => {
  it.each([
    ['a misspelled expect key', '- name: c\n  expect: { stauts: 200 }\n', '"c": expect.stauts: unknown key (did you mean "status"?)'],
    ['a misspelled top-level key', '- name: c\n  reqest: { url: / }\n', 'case 1: case.reqest: unknown key (did you mean "request"?)'],
    ['a status out of range', '- name: c\n  origin: { status: 99 }\n', '"c": origin.status: expected an integer in 200..599'],
    ['a phase name', '- name: c\n  hook: { phases: [on-reqest] }\n', '"c": hook.phases: "on-reqest" is not a phase (did you mean "on-request"?)'],
    ['stored that is not a boolean', '- name: c\n  expect: { stored: yes please }\n', '"c": expect.stored: expected true or false'],
    ['headers that are a list', '- name: c\n  request: { headers: [a] }\n', '"c": request.headers: expected a mapping of header name to value'],
    ['an unknown file-level key', 'cases: []\nhooks: {}\n', 'hooks: unknown key (did you mean "hook"?)'],
  ])('refuses %s', async (_what, text, message) => {
    const { file, cases } = await parse('bad.yaml', text);
    await expect(cases()).rejects.toThrow(`${file}: ${message}`);
  });

  it('reads one case, a list, a cases: file and JSON alike, with defaults', async () => {
    const one = await (await parse('one.yaml', 'request: { url: /a }\n')).cases();
    const list = await (await parse('list.yaml', '- request: { url: /a }\n')).cases();
    const withCases = await (await parse('cases.yaml', 'hook: { config: k }\ncases:\n  - request: { url: /a }\n')).cases();
    const json = await (await parse('one.json', '{"request": {"url": "/a", "headers": {"X-A": 1}}}')).cases();
    for (const cases of [one, list, withCases, json]) {
      expect(cases).toHaveLength(1);
      expect(cases[0]!.request).toMatchObject({ method: 'GET', url: '/a', clientIp: '127.0.0.1', body: null });
      expect(cases[0]!.origin).toMatchObject({ status: 200, body: Buffer.from('ok') });
    }
    expect(withCases[0]!.hook.config).toBe('k');
    expect(json[0]!.request.headers).toEqual({ 'x-a': '1' });
  });
});
