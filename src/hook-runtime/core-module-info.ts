/**
 * Facts about one core module read from its binary: its exports, whether it defines or imports a
 * memory, and its declared memory limits. Used to classify components and cap memory.
 */
import { ByteReader, CORE_VERSION, ModuleFormatError, readSections } from './wasm-binary.ts';

const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const SECTION_EXPORT = 7;

export interface CoreModuleInfo {
  readonly exports: ReadonlyMap<string, number>;
  readonly imports: ReadonlyArray<{ module: string; name: string; kind: number }>;
  readonly definesMemory: boolean;
  readonly importsMemory: boolean;
}

export const EXTERN_FUNC = 0;
export const EXTERN_MEMORY = 2;

/** Reads a limits record (memory or table); returns the reader positioned after it. */
export function skipLimits(reader: ByteReader): { min: number; max: number | undefined; is64: boolean } {
  const flags = reader.u8();
  const is64 = (flags & 0x04) !== 0;
  const min = is64 ? reader.u64() : reader.u32();
  const max = (flags & 0x01) !== 0 ? (is64 ? reader.u64() : reader.u32()) : undefined;
  if ((flags & 0x08) !== 0) reader.u32(); // custom page size exponent
  return { min, max, is64 };
}

function skipImportDesc(reader: ByteReader, kind: number): void {
  switch (kind) {
    case 0: reader.u32(); return; // type index
    case 1: { // table: reftype (possibly typed ref) + limits
      const ref = reader.u8();
      if (ref === 0x63 || ref === 0x64) reader.u32();
      skipLimits(reader);
      return;
    }
    case 2: skipLimits(reader); return;
    case 3: { // global: valtype + mutability
      const type = reader.u8();
      if (type === 0x63 || type === 0x64) reader.u32();
      reader.u8();
      return;
    }
    case 4: reader.u8(); reader.u32(); return; // tag
    default: throw new ModuleFormatError(`unknown import kind ${kind}`);
  }
}

export function readCoreModuleInfo(bytes: Uint8Array): CoreModuleInfo {
  const exports = new Map<string, number>();
  const imports: { module: string; name: string; kind: number }[] = [];
  let definesMemory = false;
  for (const section of readSections(bytes, CORE_VERSION)) {
    const reader = new ByteReader(bytes, section.payloadStart, section.payloadEnd);
    if (section.id === SECTION_IMPORT) {
      for (let n = reader.u32(); n > 0; n--) {
        const module = reader.name();
        const name = reader.name();
        const kind = reader.u8();
        skipImportDesc(reader, kind);
        imports.push({ module, name, kind });
      }
    } else if (section.id === SECTION_MEMORY) {
      definesMemory = reader.u32() > 0;
    } else if (section.id === SECTION_EXPORT) {
      for (let n = reader.u32(); n > 0; n--) {
        const name = reader.name();
        const kind = reader.u8();
        reader.u32();
        exports.set(name, kind);
      }
    }
  }
  return { exports, imports, definesMemory, importsMemory: imports.some((i) => i.kind === EXTERN_MEMORY) };
}
