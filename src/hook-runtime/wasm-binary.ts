/**
 * Just enough of the Wasm binary format (core modules and components) to find sections, read
 * names and rewrite memory limits at load time. No third-party parser: a hook module is untrusted
 * input, so every read is bounds-checked and a malformed module throws a ModuleFormatError.
 */
export class ModuleFormatError extends Error {
  override readonly name = 'ModuleFormatError';
}

export const CORE_VERSION = 0x01;
/** Component binaries: version 0x0d, layer 0x01. */
export const COMPONENT_VERSION = 0x0d;

export class ByteReader {
  offset: number;
  readonly bytes: Uint8Array;
  readonly end: number;

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    this.bytes = bytes;
    this.offset = offset;
    this.end = end;
  }

  get done(): boolean {
    return this.offset >= this.end;
  }

  u8(): number {
    if (this.offset >= this.end) throw new ModuleFormatError('unexpected end of module');
    return this.bytes[this.offset++]!;
  }

  /** Unsigned LEB128 up to 32 bits. */
  u32(): number {
    return this.leb128(35);
  }

  /** Unsigned LEB128 up to 64 bits (memory64 limits), as a number (precision is irrelevant here). */
  u64(): number {
    return this.leb128(70);
  }

  private leb128(maxShift: number): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > maxShift) throw new ModuleFormatError('LEB128 value too long');
    }
  }

  name(): string {
    const length = this.u32();
    return new TextDecoder('utf-8', { fatal: true }).decode(this.take(length));
  }

  take(length: number): Uint8Array {
    if (this.offset + length > this.end) throw new ModuleFormatError('section extends past the end');
    const view = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return view;
  }
}

export interface Section {
  readonly id: number;
  /** Offset of the id byte. */
  readonly start: number;
  /** Offset of the first payload byte. */
  readonly payloadStart: number;
  readonly payloadEnd: number;
}

/** Checks the preamble and lists the top-level sections. */
export function readSections(bytes: Uint8Array, expectedVersion: number): Section[] {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new ModuleFormatError('not a WebAssembly binary');
  }
  if (bytes[4] !== expectedVersion) {
    throw new ModuleFormatError(expectedVersion === COMPONENT_VERSION
      ? 'not a component (a core module or an unsupported component version)'
      : 'not a core module');
  }
  const reader = new ByteReader(bytes, 8);
  const sections: Section[] = [];
  while (!reader.done) {
    const start = reader.offset;
    const id = reader.u8();
    const size = reader.u32();
    const payloadStart = reader.offset;
    reader.take(size);
    sections.push({ id, start, payloadStart, payloadEnd: payloadStart + size });
  }
  return sections;
}

export function isComponent(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[4] === COMPONENT_VERSION && bytes[6] === 0x01;
}

export function encodeU32(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}
