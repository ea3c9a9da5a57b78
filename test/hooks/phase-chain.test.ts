import { describe, expect, it } from 'vitest';
import type { PhaseVerdict } from '../../src/pipeline/hook-seam.ts';
import { validateHookConfig } from '../../src/hook-runtime/hook-config.ts';
import type { LoadedHook } from '../../src/hook-runtime/loaded-hook.ts';
import { requestChain, responseChain } from '../../src/hook-runtime/phase-chain.ts';
import { makeRequest, makeResponse } from './support/states.ts';

function fakeHook(name: string, calls: string[], verdict: PhaseVerdict = { tag: 'continue' }): LoadedHook {
  const config = validateHookConfig({ name, module: 'x', phases: ['on-request', 'on-response'] }, 'h').value!;
  return {
    name, config, sha256: '0', reads: { geo: false, image: false },
    invoke: async () => { calls.push(name); return verdict; },
    circuit: () => 'closed',
    info: () => { throw new Error('unused'); },
  };
}

describe('phase chains', () => {
  it('runs request hooks in order and response hooks in reverse', async () => {
    const calls: string[] = [];
    const hooks = [fakeHook('a', calls), fakeHook('b', calls), fakeHook('c', calls)];
    await requestChain(hooks)!.run(makeRequest());
    await responseChain('on-response', hooks)!.run(makeRequest(), makeResponse());
    expect(calls).toEqual(['a', 'b', 'c', 'c', 'b', 'a']);
  });

  it('ends the phase at the first verdict other than continue', async () => {
    const calls: string[] = [];
    const deny: PhaseVerdict = { tag: 'respond', val: { status: 403, headers: [], body: Buffer.alloc(0) } };
    const verdict = await requestChain([fakeHook('a', calls), fakeHook('b', calls, deny), fakeHook('c', calls)])!.run(makeRequest());
    expect(verdict).toBe(deny);
    expect(calls).toEqual(['a', 'b']);
  });

  it('is null when empty, so the pipeline skips it', () => {
    expect(requestChain([])).toBeNull();
    expect(responseChain('on-response', [])).toBeNull();
  });
});
