import { describe, expect, it } from 'vitest';
import { validateHookConfig } from '../../src/hook-runtime/hook-config.ts';

describe('validateHookConfig', () => {
  it('fills defaults', () => {
    const { value, errors } = validateHookConfig({ name: 'auth', module: 'hooks/auth.wasm', phases: ['on-request'] }, 'hooks[0]');
    expect(errors).toEqual([]);
    expect(value).toEqual({
      name: 'auth', module: 'hooks/auth.wasm', phases: ['on-request'], routes: [{}], on_error: 'closed',
      timeout_ms: 50, memory_mb: 16, body: {}, isolation: 'pooled',
    });
  });

  it('reports every problem with its path', () => {
    const { value, errors } = validateHookConfig({
      name: 'Bad Name', module: 'ftp://x', phases: ['on-request', 'on-nothing'], routes: [{ path: 'no-slash', methods: [] }],
      on_error: 'maybe', timeout_ms: 0, memory_mb: 5000, body: { request: -1 }, isolation: 'shared', extra: 1,
    }, 'hooks[2]');
    expect(value).toBeUndefined();
    expect(errors.map((e) => e.path)).toEqual([
      'hooks[2].extra', 'hooks[2].name', 'hooks[2].module', 'hooks[2].phases', 'hooks[2].routes[0].path',
      'hooks[2].routes[0].methods', 'hooks[2].on_error', 'hooks[2].timeout_ms', 'hooks[2].memory_mb',
      'hooks[2].body.request', 'hooks[2].isolation',
    ]);
  });
});
