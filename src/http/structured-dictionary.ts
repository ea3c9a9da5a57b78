/**
 * A Dictionary Structured Field parser (RFC 8941 §4.2.2), for the targeted cache-control fields of
 * RFC 9213, which are defined as Dictionaries. It follows the RFC's parsing algorithms to the
 * letter, because RFC 9213 §2.1 makes a parse failure mean "ignore the whole field": being lenient
 * here would let a malformed CDN-Cache-Control override a well-formed Cache-Control.
 * Date (`@`) and Display String (`%`) items of RFC 9651 are not accepted; no cache directive uses them.
 */

export type BareItem =
  | { readonly kind: 'integer'; readonly value: number }
  | { readonly kind: 'decimal'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'token'; readonly value: string }
  | { readonly kind: 'bytes'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean };

export type Parameters = ReadonlyMap<string, BareItem>;

export interface Item {
  readonly value: BareItem;
  readonly params: Parameters;
}

export interface InnerList {
  readonly value: { readonly kind: 'inner-list'; readonly items: readonly Item[] };
  readonly params: Parameters;
}

export type DictionaryMember = Item | InnerList;

const TRUE: BareItem = Object.freeze({ kind: 'boolean', value: true });

/** Thrown inside the parser only; parseDictionary turns it into null. */
class SyntaxFailure extends Error {}

function fail(): never {
  throw new SyntaxFailure();
}

/** The members in field order (a repeated key keeps its first position and its last value); null when invalid. */
export function parseDictionary(value: string): ReadonlyMap<string, DictionaryMember> | null {
  try {
    const parser = new Parser(value);
    parser.skipSpaces();
    const members = parser.dictionary();
    parser.skipSpaces();
    if (!parser.done()) fail();
    return members;
  } catch (error) {
    if (error instanceof SyntaxFailure) return null;
    throw error;
  }
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isLcAlpha = (c: string): boolean => c >= 'a' && c <= 'z';
const isAlpha = (c: string): boolean => isLcAlpha(c) || (c >= 'A' && c <= 'Z');
const KEY_CHARS = /^[a-z0-9_\-.*]$/;
// tchar (RFC 9110 §5.6.2) plus ":" and "/" (RFC 8941 §3.3.4).
const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z:/]$/;
const BASE64_CHARS = /^[A-Za-z0-9+/=]$/;

class Parser {
  #pos = 0;
  readonly #s: string;

  constructor(s: string) {
    this.#s = s;
  }

  done(): boolean {
    return this.#pos >= this.#s.length;
  }

  skipSpaces(): void {
    while (this.#peek() === ' ') this.#pos++;
  }

  dictionary(): Map<string, DictionaryMember> {
    const members = new Map<string, DictionaryMember>();
    while (!this.done()) {
      const key = this.#key();
      let member: DictionaryMember;
      if (this.#peek() === '=') {
        this.#pos++;
        member = this.#itemOrInnerList();
      } else {
        member = { value: TRUE, params: this.#parameters() };
      }
      members.set(key, member);
      this.#skipOws();
      if (this.done()) return members;
      if (this.#next() !== ',') fail();
      this.#skipOws();
      // A trailing comma is an error.
      if (this.done()) fail();
    }
    return members;
  }

  #peek(): string {
    return this.#s[this.#pos] ?? '';
  }

  #next(): string {
    return this.#s[this.#pos++] ?? '';
  }

  #skipOws(): void {
    while (this.#peek() === ' ' || this.#peek() === '\t') this.#pos++;
  }

  #key(): string {
    const first = this.#peek();
    if (!isLcAlpha(first) && first !== '*') fail();
    const start = this.#pos;
    while (KEY_CHARS.test(this.#peek())) this.#pos++;
    return this.#s.slice(start, this.#pos);
  }

  #itemOrInnerList(): DictionaryMember {
    if (this.#peek() !== '(') return this.#item();
    this.#pos++;
    const items: Item[] = [];
    for (;;) {
      this.skipSpaces();
      if (this.#peek() === ')') {
        this.#pos++;
        return { value: { kind: 'inner-list', items }, params: this.#parameters() };
      }
      if (this.done()) fail();
      items.push(this.#item());
      const after = this.#peek();
      if (after !== ' ' && after !== ')') fail();
    }
  }

  #item(): Item {
    return { value: this.#bareItem(), params: this.#parameters() };
  }

  #parameters(): Parameters {
    const params = new Map<string, BareItem>();
    while (this.#peek() === ';') {
      this.#pos++;
      this.skipSpaces();
      const key = this.#key();
      let value = TRUE;
      if (this.#peek() === '=') {
        this.#pos++;
        value = this.#bareItem();
      }
      params.set(key, value);
    }
    return params;
  }

  #bareItem(): BareItem {
    const c = this.#peek();
    if (c === '-' || isDigit(c)) return this.#number();
    if (c === '"') return this.#string();
    if (isAlpha(c) || c === '*') return this.#token();
    if (c === ':') return this.#bytes();
    if (c === '?') return this.#boolean();
    return fail();
  }

  /** RFC 8941 §4.2.4: at most 15 integer digits, or 12 + 3 for a decimal. */
  #number(): BareItem {
    const start = this.#pos;
    if (this.#peek() === '-') this.#pos++;
    if (!isDigit(this.#peek())) fail();
    let dot = -1;
    while (isDigit(this.#peek()) || (this.#peek() === '.' && dot === -1)) {
      if (this.#peek() === '.') {
        if (this.#pos - start > 12 + (this.#s[start] === '-' ? 1 : 0)) fail();
        dot = this.#pos;
      }
      this.#pos++;
      const digits = this.#pos - start - (this.#s[start] === '-' ? 1 : 0);
      if (dot === -1 ? digits > 15 : digits > 16) fail();
    }
    const text = this.#s.slice(start, this.#pos);
    if (dot === -1) return { kind: 'integer', value: Number(text) };
    const fraction = this.#pos - dot - 1;
    if (fraction < 1 || fraction > 3) fail();
    return { kind: 'decimal', value: Number(text) };
  }

  #string(): BareItem {
    this.#pos++;
    let out = '';
    for (;;) {
      if (this.done()) fail();
      const c = this.#next();
      if (c === '"') return { kind: 'string', value: out };
      if (c === '\\') {
        const escaped = this.#next();
        if (escaped !== '"' && escaped !== '\\') fail();
        out += escaped;
        continue;
      }
      const code = c.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) fail();
      out += c;
    }
  }

  #token(): BareItem {
    const start = this.#pos++;
    while (TOKEN_CHARS.test(this.#peek())) this.#pos++;
    return { kind: 'token', value: this.#s.slice(start, this.#pos) };
  }

  #bytes(): BareItem {
    const start = ++this.#pos;
    while (BASE64_CHARS.test(this.#peek())) this.#pos++;
    if (this.#next() !== ':') fail();
    return { kind: 'bytes', value: this.#s.slice(start, this.#pos - 1) };
  }

  #boolean(): BareItem {
    this.#pos++;
    const c = this.#next();
    if (c !== '0' && c !== '1') fail();
    return { kind: 'boolean', value: c === '1' };
  }
}
