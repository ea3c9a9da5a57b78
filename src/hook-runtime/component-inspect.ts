/**
 * Classifies a component for loading. A component whose code is one core module (plus the tiny
 * shim/fixup modules wit-component adds to tie lowered imports to memory) is called through
 * edgehook's own canonical-ABI binding; anything else (JS engines: several modules sharing a
 * memory) goes through jco transpile.
 */
import { ByteReader, COMPONENT_VERSION, ModuleFormatError, readSections } from './wasm-binary.ts';
import { readCoreModuleInfo, type CoreModuleInfo } from './core-module-info.ts';

const SECTION_CORE_MODULE = 1;
const SECTION_COMPONENT = 4;
const SECTION_CANON = 8;

export type StringEncoding = 'utf8' | 'utf16' | 'latin1+utf16';

export interface ComponentInspection {
  readonly coreModules: ReadonlyArray<{ bytes: Uint8Array; info: CoreModuleInfo }>;
  /** Index in coreModules of the module to bind directly, or -1 when the component needs jco. */
  readonly directIndex: number;
  readonly stringEncoding: StringEncoding;
}

const ENCODINGS: Record<number, StringEncoding> = { 0: 'utf8', 1: 'utf16', 2: 'latin1+utf16' };

/** The string encoding of the first canon lift/lower that names one (utf8 when none does). */
function readStringEncoding(bytes: Uint8Array, start: number, end: number): StringEncoding | undefined {
  const reader = new ByteReader(bytes, start, end);
  for (let n = reader.u32(); n > 0; n--) {
    const kind = reader.u8();
    if (kind !== 0x00 && kind !== 0x01) return undefined; // other canon kinds: stop reading
    reader.u8();
    reader.u32();
    for (let opts = reader.u32(); opts > 0; opts--) {
      const opt = reader.u8();
      const encoding = ENCODINGS[opt];
      if (encoding !== undefined) return encoding;
      if (opt === 0x03 || opt === 0x04 || opt === 0x05 || opt === 0x07) reader.u32();
    }
    if (kind === 0x00) reader.u32();
  }
  return undefined;
}

function countCoreModules(component: Uint8Array): number {
  let count = 0;
  for (const section of readSections(component, COMPONENT_VERSION)) {
    if (section.id === SECTION_CORE_MODULE) count++;
    else if (section.id === SECTION_COMPONENT) count += countCoreModules(component.subarray(section.payloadStart, section.payloadEnd));
  }
  return count;
}

export function inspectComponent(bytes: Uint8Array): ComponentInspection {
  const coreModules: { bytes: Uint8Array; info: CoreModuleInfo }[] = [];
  let stringEncoding: StringEncoding | undefined;
  /** Core modules inside nested components (wit-component also nests code-free type wrappers). */
  let nested = 0;
  for (const section of readSections(bytes, COMPONENT_VERSION)) {
    if (section.id === SECTION_CORE_MODULE) {
      const module = bytes.slice(section.payloadStart, section.payloadEnd);
      coreModules.push({ bytes: module, info: readCoreModuleInfo(module) });
    } else if (section.id === SECTION_COMPONENT) {
      nested += countCoreModules(bytes.subarray(section.payloadStart, section.payloadEnd));
    } else if (section.id === SECTION_CANON && stringEncoding === undefined) {
      stringEncoding = readStringEncoding(bytes, section.payloadStart, section.payloadEnd);
    }
  }
  if (coreModules.length === 0 && nested === 0) throw new ModuleFormatError('the component contains no code');
  const withMemory = coreModules.filter((m) => m.info.definesMemory || m.info.importsMemory);
  const main = coreModules.findIndex((m) => m.info.definesMemory && m.info.exports.has('memory'));
  // Code inside nested components (e.g. componentize-qjs output) always goes through jco.
  const direct = nested === 0 && withMemory.length === 1 && main !== -1 ? main : -1;
  return { coreModules, directIndex: direct, stringEncoding: stringEncoding ?? 'utf8' };
}
