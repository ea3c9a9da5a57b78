import { describe, expect, it } from 'vitest';
import { canonicalPath, type PathFormRules } from '../../../src/http/path-form.ts';

const DEFAULTS: PathFormRules = { mergeSlashes: true, escapedSlashes: 'reject' };

describe('canonicalPath', () => {
  it.each<[string, Partial<PathFormRules>, string | null]>([
    // Merged (the default), before dot segments go: the result names no host and never climbs out.
    ['/a/b', {}, '/a/b'],
    ['//evil/auth/x', {}, '/evil/auth/x'],
    ['/a//b///c/', {}, '/a/b/c/'],
    ['/a//../b', {}, '/b'],
    ['/..//evil/x', {}, '/evil/x'],
    ['/%2e%2e//x', {}, '/x'],
    ['', {}, '/'],
    // Not merged: kept, unless the path would start with // (a host, to a URL parser).
    ['/a//b', { mergeSlashes: false }, '/a//b'],
    ['//evil/x', { mergeSlashes: false }, null],
    ['/..//evil/x', { mergeSlashes: false }, null],
    // A raw backslash: always refused.
    ['/a\\b', {}, null],
    ['/a\\b', { escapedSlashes: 'keep', mergeSlashes: false }, null],
    // Escaped slashes.
    ['/a%2Fb', {}, null],
    ['/a%5cb', {}, null],
    ['/a%2fb', { escapedSlashes: 'keep' }, '/a%2Fb'],
    ['/a%5Cb', { escapedSlashes: 'keep' }, '/a%5Cb'],
    ['/a%2F%2Fb', { escapedSlashes: 'decode' }, '/a/b'],
    ['/a%5C..%5Cb', { escapedSlashes: 'decode' }, '/b'],
    ['/%2F%2Fevil/x', { escapedSlashes: 'decode', mergeSlashes: false }, null],
    // Other escapes are left to percent-encoding normalisation.
    ['/%7euser/%2x', {}, '/~user/%2x'],
  ])('%j %j → %j', (path, rules, expected) => {
    const form = canonicalPath(path, { ...DEFAULTS, ...rules });
    expect(form.ok ? form.path : null).toBe(expected);
  });

  it('is stable: the canonical form of a canonical path is itself', () => {
    for (const path of ['/a//../b/./c//', '/x/%2e%2E/%7e//y', '//a/b/..//c']) {
      const once = canonicalPath(path, DEFAULTS);
      expect(once.ok).toBe(true);
      if (once.ok) expect(canonicalPath(once.path, DEFAULTS)).toEqual(once);
    }
  });
});
