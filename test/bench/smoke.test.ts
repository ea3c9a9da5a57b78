/**
 * The bench still runs: `node bench/run.ts --smoke` starts every group's targets and drives one
 * scenario of each for a second. Its figures mean nothing on a shared CI machine and are not
 * asserted; what is asserted is that every target that can run here started, served requests and
 * answered them without errors — the things a refactor of the node or the bench breaks silently.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

interface SmokeResults {
  readonly results: readonly { readonly group: string; readonly measurements: readonly { readonly requests: number; readonly errors: number; readonly failure: string | null }[] }[];
}

describe('npm run bench -- --smoke', () => {
  let dir: string | null = null;
  afterAll(async () => {
    if (dir !== null) await rm(dir, { recursive: true, force: true });
  });

  it('runs every group and reports served requests for each', async () => {
    dir = await mkdtemp(join(tmpdir(), 'edgehook-bench-smoke-'));
    const out = join(dir, 'results.json');
    const { code, output } = await run(process.execPath, [join(ROOT, 'bench/run.ts'), '--smoke', '--out', out]);
    expect(code, output).toBe(0);
    const { results } = JSON.parse(await readFile(out, 'utf8')) as SmokeResults;
    expect(results.map((r) => r.group)).toEqual(expect.arrayContaining(['core', 'tracing', 'hooks', 'examples', 'image', 'workers']));
    for (const group of results) {
      expect(group.measurements.length, group.group).toBeGreaterThan(0);
      for (const m of group.measurements) {
        expect(m.failure, `${group.group}: ${output}`).toBeNull();
        expect(m.requests).toBeGreaterThan(0);
      }
    }
  }, 1_200_000);
});

function run(command: string, args: readonly string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: 1_190_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${stdout}\n${stderr}` });
    });
  });
}
