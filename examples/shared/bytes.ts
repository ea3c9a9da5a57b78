/**
 * Byte helpers the TypeScript example hooks share. QuickJS (the default engine of `edgehook hook
 * build`) has no TextEncoder, TextDecoder, atob or btoa, and these twenty lines are smaller than
 * any npm package that provides them; esbuild bundles this file into each hook that imports it.
 */

/** UTF-8 bytes of a string (lone surrogates become U+FFFD, as TextEncoder does). */
export function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    let c = ch.codePointAt(0)!;
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** Text of UTF-8 bytes; null when they are not UTF-8 (a JWT segment must be). */
export function fromUtf8(bytes: Uint8Array): string | null {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  try {
    return decodeURIComponent(escape(binary));
  } catch {
    return null;
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * base64url (RFC 4648 §5) with or without padding; null when a character, the length, the padding
 * or the unused trailing bits are not canonical (one byte string has exactly one accepted text).
 */
export function base64urlDecode(text: string): Uint8Array | null {
  const s = text.replace(/={1,2}$/, '');
  if (s.length % 4 === 1 || (s.length < text.length && text.length % 4 !== 0)) return null;
  const out = new Uint8Array((s.length * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const v = ALPHABET.indexOf(s[i]!);
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

/** base64url without padding (RFC 4648 §5). */
export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += ALPHABET[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}
