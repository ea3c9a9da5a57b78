/**
 * A proxy-wasm filter's linear memory as the host functions use it: bounds-checked reads and
 * writes, and buffers handed to the filter through its own allocator (`proxy_on_memory_allocate`,
 * or the deprecated `malloc` in its absence, spec "Memory management"). A pointer outside memory
 * throws BadPointer, which the host function turns into INVALID_MEMORY_ACCESS rather than a trap:
 * the spec gives every host function that status for it.
 */
import type { WasmMemory } from '../wasm-api.ts';

export class BadPointer extends Error {
  constructor(ptr: number, size: number) {
    super(`filter pointer out of bounds (${ptr}+${size})`);
    this.name = 'BadPointer';
  }
}

export type Allocate = (size: number) => number;

export class FilterMemory {
  readonly #memory: WasmMemory;
  readonly #allocate: Allocate;
  #buffer: ArrayBuffer | null = null;
  #view!: DataView;
  #bytes!: Buffer;

  constructor(memory: WasmMemory, allocate: Allocate) {
    this.#memory = memory;
    this.#allocate = allocate;
  }

  #refresh(): void {
    // Growth detaches the old buffer (byteLength 0): only then is memory.buffer read again.
    if (this.#buffer !== null && this.#buffer.byteLength !== 0) return;
    const buffer = this.#memory.buffer as ArrayBuffer;
    this.#buffer = buffer;
    this.#view = new DataView(buffer);
    this.#bytes = Buffer.from(buffer);
  }

  #check(ptr: number, size: number): void {
    this.#refresh();
    if (ptr < 0 || size < 0 || ptr + size > this.#buffer!.byteLength) throw new BadPointer(ptr, size);
  }

  u32(ptr: number): number { this.#check(ptr, 4); return this.#view.getUint32(ptr, true); }
  setU32(ptr: number, v: number): void { this.#check(ptr, 4); this.#view.setUint32(ptr, v >>> 0, true); }
  setU64(ptr: number, v: bigint): void { this.#check(ptr, 8); this.#view.setBigUint64(ptr, BigInt.asUintN(64, v), true); }

  write(ptr: number, value: Uint8Array): void {
    this.#check(ptr >>> 0, value.length);
    this.#bytes.set(value, ptr >>> 0);
  }

  /** A copy of (ptr, len): the filter may reuse its memory as soon as the host function returns. */
  bytes(ptr: number, len: number): Buffer {
    this.#check(ptr >>> 0, len >>> 0);
    return Buffer.from(this.#bytes.subarray(ptr >>> 0, (ptr >>> 0) + (len >>> 0)));
  }

  /** UTF-8 text (log messages, property paths, metric and shared-data keys). */
  utf8(ptr: number, len: number): string {
    return this.bytes(ptr, len).toString('utf8');
  }

  /** Header names and values are octets; latin1 maps them 1:1 onto the HeaderMap's characters. */
  latin1(ptr: number, len: number): string {
    return this.bytes(ptr, len).toString('latin1');
  }

  /**
   * Copies `value` into a buffer the filter allocated and writes its pointer and size to the two
   * return slots (`uint8_t **`, `size_t *`), as every "get" host function returns data.
   */
  give(value: Uint8Array, returnData: number, returnSize: number): void {
    this.#check(returnData, 4);
    this.#check(returnSize, 4);
    // Zero-size values still get a real allocation: some SDKs free what they are handed.
    const ptr = this.#allocate(Math.max(1, value.length)) >>> 0;
    // 0 is the allocator's failure (spec "Memory management"): answered INVALID_MEMORY_ACCESS, as Envoy does.
    if (ptr === 0) throw new BadPointer(0, value.length);
    this.#check(ptr, value.length);
    this.#bytes.set(value, ptr);
    this.setU32(returnData, ptr);
    this.setU32(returnSize, value.length);
  }
}
