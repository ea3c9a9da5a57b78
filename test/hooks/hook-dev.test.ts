/**
 * Watch and reload (issue #12): `edgehook hook dev` as a real process in front of a real origin.
 * Saving the hook rebuilds and hot-swaps it; a save that does not build prints the errors and the
 * last good module keeps serving; the next good save is served again. TS (type-checked) and AS.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaffoldHook } from '../../src/cli/hook-scaffold.ts';
import { send } from '../support/edgehook.ts';
import { startHookDev } from '../support/hook-dev-process.ts';
import { startOrigin, type TestOrigin } from '../support/origin.ts';

let dir = '';
let origin: TestOrigin;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'edgehook-dev-'));
  // The origin echoes the x-hello header the hook set on the way in.
  origin = await startOrigin((req, res) => { res.end(`hello=${String(req.headers['x-hello'])}`); });
});
afterAll(async () => {
  await origin.close();
  await rm(dir, { recursive: true, force: true });
});

async function pollUntil(url: string, want: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await send(url)).body === want) return;
    if (Date.now() > deadline) throw new Error(`never served ${want}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each([['ts', 'hook.ts', "setHeader('x-hello', 'from dev-ts')"], ['as', 'hook.as', 'request.setHeader("x-hello", "from dev-as")']] as const)(
  'edgehook hook dev (%s)', (lang, file, line) => {
    it('rebuilds on save and swaps; a broken save keeps the last good module serving', async () => {
      const folder = join(dir, `dev-${lang}`);
      await scaffoldHook(folder, lang);
      const entry = join(folder, file);
      const dev = await startHookDev(file, origin.url, folder);
      try {
        const source = await readFile(entry, 'utf8');
        expect(source).toContain(line);
        // Saved at once, before any request: the watch must already be in place when dev says it serves.
        await writeFile(entry, source.replace(line, line.replace(`from dev-${lang}`, 'v2')));
        await dev.waitForLine(/^rebuilt in \d+ ms, swapped in \d+ ms$/);
        await pollUntil(`${dev.url}/a`, 'hello=v2');
        await writeFile(entry, source.replace(line, `${line.replace(`from dev-${lang}`, 'v3')} nonsense(`));
        await dev.waitForLine(/^build failed, the last good module keeps serving:/);
        expect((await send(`${dev.url}/a`)).body).toBe('hello=v2');
        await writeFile(entry, source.replace(line, line.replace(`from dev-${lang}`, 'v4')));
        await pollUntil(`${dev.url}/a`, 'hello=v4');
      } finally {
        expect(await dev.stop()).toBe(0);
      }
    }, 300_000);
  });
