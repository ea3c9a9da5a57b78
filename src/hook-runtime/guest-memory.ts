/**
 * Reads and writes a guest's linear memory for the canonical ABI: bounds-checked loads, strings in
 * the component's encoding (utf8 or utf16), and allocation through the guest's `cabi_realloc`.
 * Views are refreshed whenever the memory has grown (growth detaches the old ArrayBuffer).
 */
import { isUtf8 } from 'node:buffer';
import { HookFailure } from './hook-failure.ts';
import type { WasmMemory } from './wasm-api.ts';

export type Realloc = (old: number, oldSize: number, align: number, size: number) => number;

export class GuestMemory {
  readonly #memory: WasmMemory;
  readonly #realloc: Realloc | undefined;
  readonly utf16: boolean;
  #buffer: ArrayBuffer | null = null;
  #view!: DataView;
  #bytes!: Buffer;

  constructor(memory: WasmMemory, realloc: Realloc | undefined, utf16: boolean) {
    this.#memory = memory;
    this.#realloc = realloc;
    this.utf16 = utf16;
  }

  #refresh(): void {
    // Growth detaches the old buffer (byteLength becomes 0): only then re-read memory.buffer,
    // whose getter is not free on the hot path.
    if (this.#buffer !== null && this.#buffer.byteLength !== 0) return;
    const buffer = this.#memory.buffer as ArrayBuffer;
    this.#buffer = buffer;
    this.#view = new DataView(buffer);
    this.#bytes = Buffer.from(buffer);
  }

  #check(ptr: number, size: number): void {
    if (ptr < 0 || size < 0 || ptr + size > this.#buffer!.byteLength) {
      throw new HookFailure('EH_HOOK_TRAP', `guest pointer out of bounds (${ptr}+${size})`);
    }
  }

  u8(ptr: number): number { this.#refresh(); this.#check(ptr, 1); return this.#view.getUint8(ptr); }
  u16(ptr: number): number { this.#refresh(); this.#check(ptr, 2); return this.#view.getUint16(ptr, true); }
  u32(ptr: number): number { this.#refresh(); this.#check(ptr, 4); return this.#view.getUint32(ptr, true); }

  setU8(ptr: number, v: number): void { this.#refresh(); this.#check(ptr, 1); this.#view.setUint8(ptr, v); }
  setU16(ptr: number, v: number): void { this.#refresh(); this.#check(ptr, 2); this.#view.setUint16(ptr, v, true); }
  setU32(ptr: number, v: number): void { this.#refresh(); this.#check(ptr, 4); this.#view.setUint32(ptr, v, true); }
  setF64(ptr: number, v: number): void { this.#refresh(); this.#check(ptr, 8); this.#view.setFloat64(ptr, v, true); }
  setU64(ptr: number, v: bigint): void { this.#refresh(); this.#check(ptr, 8); this.#view.setBigUint64(ptr, v, true); }

  /**
   * A string the guest passed as (ptr, len); len counts code units of the encoding. Bytes that are
   * not valid in the encoding trap, as the canonical ABI's lift does: decoding them leniently
   * would hand the host U+FFFD or lone surrogates in place of what the guest meant.
   */
  string(ptr: number, len: number): string {
    this.#refresh();
    const size = this.utf16 ? len * 2 : len;
    this.#check(ptr, size);
    const value = this.#bytes.toString(this.utf16 ? 'utf16le' : 'utf8', ptr, ptr + size);
    // Node's decoders never throw: utf8 leaves U+FFFD for bad bytes, utf16le keeps lone
    // surrogates. Checked only then, so valid text (nearly every call) costs one scan.
    const valid = this.utf16 ? value.isWellFormed() : !value.includes('\uFFFD') || isUtf8(this.#bytes.subarray(ptr, ptr + size));
    if (!valid) {
      throw new HookFailure('EH_HOOK_TRAP', `trap (invalid string): a string the guest passed is not valid ${this.utf16 ? 'UTF-16' : 'UTF-8'}`);
    }
    return value;
  }

  /** A copy of a byte list the guest passed as (ptr, len). */
  bytes(ptr: number, len: number): Uint8Array {
    this.#refresh();
    this.#check(ptr, len);
    return Uint8Array.prototype.slice.call(this.#bytes, ptr, ptr + len);
  }

  alloc(align: number, size: number): number {
    if (this.#realloc === undefined) throw new HookFailure('EH_HOOK_TRAP', 'the module does not export cabi_realloc');
    const ptr = this.#realloc(0, 0, align, size) >>> 0;
    this.#refresh();
    this.#check(ptr, size);
    if (ptr % align !== 0) throw new HookFailure('EH_HOOK_TRAP', 'cabi_realloc returned a misaligned pointer');
    return ptr;
  }

  /** Copies a string into guest memory; returns [ptr, length in code units]. */
  putString(value: string): [number, number] {
    if (this.utf16) {
      const ptr = this.alloc(2, value.length * 2);
      this.#bytes.write(value, ptr, value.length * 2, 'utf16le');
      return [ptr, value.length];
    }
    const size = Buffer.byteLength(value, 'utf8');
    const ptr = this.alloc(1, size);
    this.#bytes.write(value, ptr, size, 'utf8');
    return [ptr, size];
  }

  putBytes(value: Uint8Array): [number, number] {
    const ptr = this.alloc(1, value.length);
    this.#bytes.set(value, ptr);
    return [ptr, value.length];
  }

  /** Writes list<string> at retptr as (ptr, count) with 8-byte (ptr, len) elements. */
  putStringList(retptr: number, values: readonly string[]): void {
    const base = this.alloc(4, values.length * 8);
    values.forEach((value, i) => {
      const [ptr, len] = this.putString(value);
      this.setU32(base + i * 8, ptr);
      this.setU32(base + i * 8 + 4, len);
    });
    this.setU32(retptr, base);
    this.setU32(retptr + 4, values.length);
  }
}
