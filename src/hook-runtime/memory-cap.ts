/**
 * Caps a core module's linear memory at load by rewriting the declared maximum (defined and
 * imported memories alike). Growth past it fails, and the guest traps: Worker resourceLimits do
 * not bound Wasm memory, so this rewrite is the bound.
 */
import { ByteReader, CORE_VERSION, encodeU32, ModuleFormatError, readSections } from './wasm-binary.ts';
import { skipLimits } from './core-module-info.ts';

const SECTION_MEMORY = 5;
export const WASM_PAGE = 65_536;

export function capMemory(bytes: Uint8Array, maxBytes: number): Uint8Array {
  const maxPages = Math.max(1, Math.floor(maxBytes / WASM_PAGE));
  const pieces: Uint8Array[] = [];
  let copiedTo = 0;
  for (const section of readSections(bytes, CORE_VERSION)) {
    if (section.id !== SECTION_MEMORY) continue;
    const reader = new ByteReader(bytes, section.payloadStart, section.payloadEnd);
    const payload: number[] = [];
    const count = reader.u32();
    payload.push(...encodeU32(count));
    for (let i = 0; i < count; i++) {
      const flagsAt = reader.offset;
      const limits = skipLimits(reader);
      const flags = bytes[flagsAt]!;
      if (limits.is64 || (flags & 0x02) !== 0 || (flags & 0x08) !== 0) {
        throw new ModuleFormatError('memory64, shared or custom-page memories are not supported');
      }
      if (limits.min > maxPages) {
        throw new ModuleFormatError(`the module needs ${limits.min} pages at start, more than memory_mb allows (${maxPages})`);
      }
      const max = limits.max === undefined ? maxPages : Math.min(limits.max, maxPages);
      payload.push(0x01, ...encodeU32(limits.min), ...encodeU32(max));
    }
    pieces.push(bytes.subarray(copiedTo, section.start));
    pieces.push(Uint8Array.from([SECTION_MEMORY, ...encodeU32(payload.length), ...payload]));
    copiedTo = section.payloadEnd;
  }
  if (copiedTo === 0) return bytes;
  pieces.push(bytes.subarray(copiedTo));
  return new Uint8Array(Buffer.concat(pieces));
}
