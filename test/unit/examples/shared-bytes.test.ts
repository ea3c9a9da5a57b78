/**
 * examples/shared/bytes.ts, the byte helpers the TypeScript example hooks bundle (QuickJS has no
 * TextEncoder or atob), checked against Node's own encoders; the same canonical-base64url table as
 * the AssemblyScript SDK's test (test/hooks/sdk-text-helpers.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { base64urlDecode, base64urlEncode, fromUtf8, utf8 } from '../../../examples/shared/bytes.ts';

describe('examples/shared/bytes', () => {
  it.each(['', 'ascii', 'café', '€ and 😀', 'a\u0000b'])('utf8 / fromUtf8 round-trip %j as Node does', (text) => {
    expect(Buffer.from(utf8(text))).toEqual(Buffer.from(text, 'utf8'));
    expect(fromUtf8(utf8(text))).toBe(text);
  });

  it('turns a lone surrogate into U+FFFD, and refuses bytes that are not UTF-8', () => {
    expect(Buffer.from(utf8('a\ud800b')).toString('utf8')).toBe('a\ufffdb');
    expect(fromUtf8(Uint8Array.from([0xc3, 0x28]))).toBeNull();
  });

  it.each([0, 1, 2, 3, 4, 31, 32, 33])('encodes and decodes %i bytes as Node does', (n) => {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 73 + 250) & 255);
    const text = Buffer.from(bytes).toString('base64url');
    expect(base64urlEncode(bytes)).toBe(text);
    expect(base64urlDecode(text)).toEqual(bytes);
  });

  it('accepts canonical padding', () => {
    expect(Buffer.from(base64urlDecode('aGVsbG8=')!).toString()).toBe('hello');
  });

  it.each(['a', 'a+b/', 'aGVs bG8', 'aGVsbG8===', 'aGVsbG8==', 'aGVsbG9', '=='])('refuses %j', (text) => {
    expect(base64urlDecode(text)).toBeNull();
  });
});
