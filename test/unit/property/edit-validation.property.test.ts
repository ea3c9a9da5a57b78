/**
 * Properties of hook edit validation (src/hook-runtime/edit-validation.ts, wit/README.md §5): what
 * it accepts can always be written on the wire (Node's own validateHeaderName/-Value and undici's
 * checks are the reference: what they refuse becomes a thrown error and a 5xx), names are exactly
 * the tokens not owned by the proxy, and no accepted value, path, query or label can carry CR, LF,
 * NUL or anything else that splits a message or a cache key.
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkHeader, checkHeaderName, checkHeaderValue, checkLabel, checkMethod, checkPath, checkQuery, checkStatus, LIMITS,
} from '../../../src/hook-runtime/edit-validation.ts';
import { charFrom, fieldValue, TCHARS, token } from './http-arbitraries.ts';

const RUNS = { numRuns: 2000 };

const PROXY_OWNED = ['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'host', 'http2-settings'];

/** Strings near the edges: tokens, field values, splitting characters, controls, non-Latin-1. */
const hostile = fc.string({
  unit: fc.oneof(
    { weight: 6, arbitrary: charFrom(TCHARS) },
    { weight: 2, arbitrary: charFrom(' \t\r\n\u0000\u007f\u0080\u00a0\u00ff\u0100\u20ac\ufffd:;,"/?#%') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 12,
});

function nodeAccepts(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

describe('header edits (property)', () => {
  it('accept a name exactly when it is a token of 1..256 chars the proxy does not own', () => {
    fc.assert(fc.property(fc.oneof(hostile, token(20), fc.constantFrom(...PROXY_OWNED).map((n) => n.toUpperCase())), (name) => {
      const isToken = name.length > 0 && [...name].every((c) => TCHARS.includes(c));
      const accepted = isToken && name.length <= LIMITS.headerName && !PROXY_OWNED.includes(name.toLowerCase());
      expect(checkHeaderName(name) === undefined).toBe(accepted);
    }), RUNS);
  });

  it('accept only names and values Node can write (else the response or origin request throws)', () => {
    fc.assert(fc.property(fc.oneof(token(10), hostile), fc.oneof(fieldValue, hostile), (name, value) => {
      if (checkHeader(name, value) !== undefined) return;
      expect(nodeAccepts(() => validateHeaderName(name))).toBe(true);
      expect(nodeAccepts(() => validateHeaderValue(name, value))).toBe(true);
      // undici's check for origin requests (lib/core/util.js headerCharRegex).
      expect(/[^\t\x20-\x7e\x80-\xff]/.test(value)).toBe(false);
    }), RUNS);
  });

  it('accept every field value a peer may send, and refuse any value holding CR, LF, NUL or another control', () => {
    fc.assert(fc.property(fieldValue, fc.constantFrom('\r', '\n', '\u0000', '\u0001', '\u001f', '\u007f'), fc.nat(), (value, bad, at) => {
      expect(checkHeaderValue(value)).toBeUndefined();
      const i = at % (value.length + 1);
      expect(checkHeaderValue(value.slice(0, i) + bad + value.slice(i))).toBe('invalid-value');
    }), RUNS);
  });
});

describe('request and cache edits (property)', () => {
  it('accept only paths that are origin-form with no query, fragment, space or control', () => {
    fc.assert(fc.property(fc.oneof(hostile, hostile.map((s) => `/${s}`)), (path) => {
      if (checkPath(path) !== undefined) return;
      expect(path).toMatch(/^\/[\x21-\x7e]*$/);
      expect(path).not.toMatch(/[?#]/);
    }), RUNS);
  });

  it('accept only queries of visible ASCII without "#"', () => {
    fc.assert(fc.property(hostile, (query) => {
      if (checkQuery(query) === undefined) expect(query).toMatch(/^[\x21-\x22\x24-\x7e]*$/);
    }), RUNS);
  });

  it('accept only methods that are tokens', () => {
    fc.assert(fc.property(hostile, (method) => {
      if (checkMethod(method) === undefined) expect(nodeAccepts(() => validateHeaderName(method)) && method.length > 0).toBe(true);
    }), RUNS);
  });

  it('accept only cache-key parts and tags of visible ASCII without "," (no NUL to forge a key, no list split)', () => {
    fc.assert(fc.property(hostile, fc.constantFrom(LIMITS.cacheKeyPart, LIMITS.tag), (label, max) => {
      const accepted = checkLabel(label, max) === undefined;
      expect(accepted).toBe(label.length > 0 && label.length <= max && /^[\x21-\x7e]+$/.test(label) && !label.includes(','));
    }), RUNS);
  });

  it('accept exactly the integer statuses 200..599', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double()), (status) => {
      expect(checkStatus(status) === undefined).toBe(Number.isInteger(status) && status >= 200 && status <= 599);
    }), RUNS);
  });
});
