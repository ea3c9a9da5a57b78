/**
 * fast-check generators for the HTTP grammar the property tests speak (RFC 9110 §5.6, RFC 3986
 * §3.3–3.4): tokens, optional whitespace, field values, and origin-form paths and queries.
 * Generators build from the grammar's own character classes, so a counterexample is always
 * something a peer could really send, and the shrinker walks towards the shortest such input.
 */
import fc from 'fast-check';

/** RFC 9110 §5.6.2 tchar. */
export const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** RFC 3986 §2.3 unreserved. */
export const UNRESERVED = '-._~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** RFC 3986 §2.2 sub-delims, plus ':' and '@': the rest of pchar. */
const PCHAR_OTHERS = "!$&'()*+,;=:@";

export function charFrom(chars: string): fc.Arbitrary<string> {
  return fc.constantFrom(...chars);
}

export function stringFrom(chars: string, constraints: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> {
  return fc.string({ unit: charFrom(chars), ...constraints });
}

export const token = (maxLength = 12): fc.Arbitrary<string> => stringFrom(TCHARS, { minLength: 1, maxLength });

/** OWS: zero to three spaces or tabs. */
export const ows: fc.Arbitrary<string> = stringFrom(' \t', { maxLength: 3 });

/** A token in random letter case (for case-insensitive names). */
export function mixedCase(text: string): fc.Arbitrary<string> {
  return fc.array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((c, i) => (upper[i] === true ? c.toUpperCase() : c.toLowerCase())).join(''));
}

/** field-vchar (VCHAR / obs-text as Node decodes it, latin1), with SP and HTAB inside. */
const VCHARS = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
const OBS_TEXT = Array.from({ length: 0x100 - 0x80 }, (_, i) => String.fromCharCode(0x80 + i)).join('');
export const fieldVchar: fc.Arbitrary<string> = fc.oneof({ weight: 8, arbitrary: charFrom(VCHARS) }, { weight: 1, arbitrary: charFrom(OBS_TEXT) });

/** A field value as a peer may send it: field-vchars with single SP/HTAB runs inside, no edges. */
export const fieldValue: fc.Arbitrary<string> = fc.array(
  fc.tuple(fc.string({ unit: fieldVchar, minLength: 1, maxLength: 6 }), stringFrom(' \t', { minLength: 1, maxLength: 2 })),
  { maxLength: 4 },
).chain((parts) => fc.string({ unit: fieldVchar, minLength: 1, maxLength: 6 })
  .map((last) => parts.map(([word, space]) => word + space).join('') + last));

/** %XX with random hex case; the byte may be anything. */
export const pctEncoded: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.boolean())
  .map(([byte, upper]) => {
    const hex = byte.toString(16).padStart(2, '0');
    return `%${upper ? hex.toUpperCase() : hex}`;
  });

/** A pchar (RFC 3986 §3.3), escapes included. */
export const pchar: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: charFrom(UNRESERVED + PCHAR_OTHERS) },
  { weight: 2, arbitrary: pctEncoded },
  // Escapes of dots, and of '/', are how dot segments and slash confusions get smuggled.
  { weight: 1, arbitrary: fc.constantFrom('%2e', '%2E', '%2f', '%2F', '%5c') },
);

/** A path segment, biased towards dot segments and empty ones. */
export const segment: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: pchar, minLength: 1, maxLength: 5 }) },
  { weight: 2, arbitrary: fc.constantFrom('.', '..', '%2e', '%2E%2e', '.%2e', '') },
);

/** An origin-form path: "/" followed by segments joined with "/". */
export const originFormPath: fc.Arbitrary<string> = fc.array(segment, { maxLength: 8 }).map((segments) => `/${segments.join('/')}`);

/** A query (RFC 3986 §3.4: pchar, "/" and "?"), without the leading "?". */
export const query: fc.Arbitrary<string> = fc.string({
  unit: fc.oneof({ weight: 8, arbitrary: pchar }, { weight: 1, arbitrary: fc.constantFrom('/', '?', '&', '=') }),
  maxLength: 10,
});
