/**
 * A protobuf wire-format writer for one message at a time, into one growing buffer. Nested
 * messages are written in place: `begin()` reserves one byte for the length and `end()` fills it
 * in, moving the body right in the rare case it took 128 bytes or more — one pass, no size
 * estimate first, no per-field objects. Strings go through Buffer's native UTF-8 and hex writers.
 */

/** Lowercase hex digit → value; 0xff for any other character code below 128. */
const HEX_VALUE = new Uint8Array(128).fill(0xff);
for (let digit = 0; digit < 16; digit++) HEX_VALUE[digit.toString(16).charCodeAt(0)] = digit;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;

export class ProtoWriter {
  #buf: Buffer;
  #pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.#buf = Buffer.allocUnsafe(initialBytes);
  }

  /** The bytes written so far, copied out; the writer is then empty again. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.#pos);
    out.set(this.#buf.subarray(0, this.#pos));
    this.#pos = 0;
    return out;
  }

  /** The bytes written so far, as a view valid until the next write. */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  /** Already-encoded fields, as they are. */
  raw(bytes: Uint8Array): void {
    this.#ensure(bytes.length);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }

  /** Opens a length-delimited field; returns the mark `end()` needs. */
  begin(field: number): number {
    this.#tag(field, WIRE_LENGTH);
    this.#ensure(1);
    const mark = this.#pos;
    this.#pos += 1;
    return mark;
  }

  end(mark: number): void {
    const length = this.#pos - mark - 1;
    if (length < 0x80) {
      this.#buf[mark] = length;
      return;
    }
    const extra = varintSize(length) - 1;
    this.#ensure(extra);
    this.#buf.copyWithin(mark + 1 + extra, mark + 1, this.#pos);
    this.#pos += extra;
    const after = this.#pos;
    this.#pos = mark;
    this.#varint(length);
    this.#pos = after;
  }

  string(field: number, value: string): void {
    this.#tag(field, WIRE_LENGTH);
    if (value.length < 0x2b) {
      // At most 3 bytes per UTF-16 unit: under 43 units the length fits one byte. Short ASCII
      // (names, methods, paths, statuses: most of a span) is copied here, cheaper than a call
      // into Buffer's encoder per string.
      this.#ensure(1 + value.length * 3);
      const buf = this.#buf;
      const lengthAt = this.#pos;
      let at = lengthAt + 1;
      for (let i = 0; i < value.length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) {
          at = lengthAt + 1 + buf.write(value, lengthAt + 1, 'utf8');
          break;
        }
        buf[at++] = code;
      }
      buf[lengthAt] = at - lengthAt - 1;
      this.#pos = at;
      return;
    }
    const length = Buffer.byteLength(value, 'utf8');
    this.#ensure(5 + length);
    this.#varint(length);
    this.#pos += this.#buf.write(value, this.#pos, length, 'utf8');
  }

  /** Bytes given as hex (trace and span ids). */
  hexBytes(field: number, hex: string): void {
    const length = hex.length >>> 1;
    this.#tag(field, WIRE_LENGTH);
    this.#ensure(1 + length);
    const buf = this.#buf;
    buf[this.#pos++] = length;
    // Ids are lowercase hex (the API's form); anything else goes through Buffer's parser.
    for (let i = 0; i < length; i++) {
      const high = HEX_VALUE[hex.charCodeAt(2 * i)] ?? 0xff;
      const low = HEX_VALUE[hex.charCodeAt(2 * i + 1)] ?? 0xff;
      if ((high | low) > 0x0f) {
        this.#pos += buf.write(hex.slice(2 * i), this.#pos, length - i, 'hex');
        return;
      }
      buf[this.#pos++] = (high << 4) | low;
    }
  }

  uint32(field: number, value: number): void {
    this.#tag(field, WIRE_VARINT);
    this.#ensure(5);
    this.#varint(value);
  }

  bool(field: number, value: boolean): void {
    this.#tag(field, WIRE_VARINT);
    this.#ensure(1);
    this.#buf[this.#pos++] = value ? 1 : 0;
  }

  /** int64 as a varint (two's complement for negative values, ten bytes, as protobuf says). */
  int64(field: number, value: number): void {
    this.#tag(field, WIRE_VARINT);
    this.#ensure(10);
    if (value >= 0 && value <= 0xffffffff) {
      this.#varint(value);
      return;
    }
    let rest = BigInt.asUintN(64, BigInt(value));
    while (rest >= 0x80n) {
      this.#buf[this.#pos++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.#buf[this.#pos++] = Number(rest);
  }

  double(field: number, value: number): void {
    this.#tag(field, WIRE_FIXED64);
    this.#ensure(8);
    this.#pos = this.#buf.writeDoubleLE(value, this.#pos);
  }

  fixed32(field: number, value: number): void {
    this.#tag(field, WIRE_FIXED32);
    this.#ensure(4);
    this.#pos = this.#buf.writeUInt32LE(value >>> 0, this.#pos);
  }

  /** A time as fixed64 nanoseconds since the epoch, from [seconds, nanoseconds]. */
  fixed64Time(field: number, seconds: number, nanos: number): void {
    this.#tag(field, WIRE_FIXED64);
    this.#ensure(8);
    // seconds × 1e9 passes 2^53 (from 2001 on): split into 32-bit halves without BigInt.
    // seconds × 1e9 + nanos = seconds × 2^9 × 1953125 + nanos, and seconds × 1953125 < 2^53.
    const scaled = seconds * 1953125;
    const highPart = Math.floor(scaled / 0x800000); // (scaled << 9) >> 32
    const lowPart = (scaled % 0x800000) * 512 + nanos; // < 2^32 + 1e9: carried below
    const carry = Math.floor(lowPart / 0x100000000);
    this.#buf.writeUInt32LE(lowPart - carry * 0x100000000, this.#pos);
    this.#buf.writeUInt32LE(highPart + carry, this.#pos + 4);
    this.#pos += 8;
  }

  #tag(field: number, wire: number): void {
    this.#ensure(5);
    this.#varint((field << 3) | wire);
  }

  /** An unsigned value below 2^32; the caller ensured the room. */
  #varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.#buf[this.#pos++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.#buf[this.#pos++] = rest;
  }

  #ensure(bytes: number): void {
    if (this.#pos + bytes <= this.#buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + bytes));
    this.#buf.copy(grown, 0, 0, this.#pos);
    this.#buf = grown;
  }
}

function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}
