/**
 * CLI manners of `edgehook hook` (issue #12), through the real CLI: unknown flags and phase names
 * fail with a "did you mean", every action's --help lists each of its flags with examples,
 * `hook run --client-ip` looks geo up in the real geoip-lite data, and `--image` feeds a real
 * image file's attributes to response.image().
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOOK_ACTION_NAMES, HOOK_FLAGS } from '../../src/cli/hook-flags.ts';
import { buildFixture, ROOT, type Fixture } from './support/fixtures.ts';

type Run = { code: number; stdout: string; stderr: string };
const hook = (...args: string[]): Promise<Run> => promisify(execFile)(process.execPath, [join(ROOT, 'bin/edgehook.js'), 'hook', ...args], { cwd: ROOT })
  .then((r) => ({ code: 0, ...r }), (e: Run) => e);
const header = (run: Run, name: string): string | undefined =>
  (JSON.parse(run.stdout) as { edits: Record<string, Array<[string, string]>> }).edits[name === 'x-geo' ? 'headers' : 'responseHeaders']
    ?.find(([n]) => n === name)?.[1];

let dir = '';
let attributes: Fixture;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgehook-cli-'));
  attributes = await buildFixture('attributes');
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#cc3366' } }).png().toFile(join(dir, 'photo.png'));
}, 120_000);
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('edgehook hook: CLI manners', () => {
  it('an unknown flag fails with a "did you mean"', async () => {
    const run = await hook('run', 'x.wasm', '--phse', 'on-request');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown option --phse for "edgehook hook run" (did you mean --phase?)');
    expect(run.stderr).toContain('Run "edgehook hook run --help" for usage.');
  });

  it('an unknown phase name fails with a "did you mean"', async () => {
    const run = await hook('run', attributes.path, '--phase', 'on-reqest');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('phase "on-reqest" is not one of on-request, on-origin-response, on-response (did you mean "on-request"?)');
  });

  it('an unknown action fails with a "did you mean" and the overview', async () => {
    const run = await hook('tset');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown action "tset" (did you mean "test"?)');
  });

  it.each(HOOK_ACTION_NAMES)('hook %s --help documents every flag, with examples', async (action) => {
    const run = await hook(action, '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: edgehook hook ${action}`);
    expect(run.stdout).toMatch(/Examples:\n {2}edgehook hook /);
    for (const flag of Object.keys(HOOK_FLAGS[action])) expect(run.stdout).toContain(`--${flag}`);
  });

  it('run --client-ip: geo from a real geoip-lite lookup; --geo overrides it', async () => {
    const looked = await hook('run', attributes.path, '--client-ip', '81.2.69.142');
    expect(looked.code).toBe(0);
    expect(header(looked, 'x-geo')).toMatch(/^GB\|ENG\|/);
    const given = await hook('run', attributes.path, '--client-ip', '81.2.69.142', '--geo', '{"country":"NZ"}');
    expect(header(given, 'x-geo')).toMatch(/^NZ\|-\|/);
  });

  it('run --image: a real image file\'s attributes reach response.image()', async () => {
    const run = await hook('run', attributes.path, '--phase', 'on-origin-response', '--image', join(dir, 'photo.png'),
      '--response-header', 'content-type: image/png');
    expect(run.code).toBe(0);
    expect(header(run, 'x-origin-image')).toMatch(/^png\|64\|48\|/);
  });
});
