/**
 * The source map of a JS hook travels inside its component, as a component-level custom section
 * (`edgehook-source-map`), so a `.wasm` copied anywhere still reports the author's lines: no
 * sidecar file to lose. Custom sections are ignored by every tool that does not know them (the
 * component-model binary format, "custom sections"), jco included. The host reads it at load and
 * maps the engine's stack (`at handle (componentize-qjs:user.js:12:7)`) to `at handle (hook.ts:9:5)`.
 */
import { SourceMap, type SourceMapPayload } from 'node:module';
import { ByteReader, COMPONENT_VERSION, encodeU32, readSections } from './wasm-binary.ts';

export const SOURCE_MAP_SECTION = 'edgehook-source-map';
const SECTION_CUSTOM = 0;
/** A map bigger than this is not embedded (a bundle that large would not map usefully anyway). */
const MAX_MAP_BYTES = 4 * 1_048_576;

/** The component with the source map appended as a custom section (unchanged if the map is too big). */
export function appendSourceMap(component: Uint8Array, mapJson: string): Uint8Array {
  const name = new TextEncoder().encode(SOURCE_MAP_SECTION);
  const payload = new TextEncoder().encode(mapJson);
  if (payload.length > MAX_MAP_BYTES) return component;
  const body = [...encodeU32(name.length), ...name];
  const size = encodeU32(body.length + payload.length);
  const out = new Uint8Array(component.length + 1 + size.length + body.length + payload.length);
  out.set(component, 0);
  let at = component.length;
  out[at++] = SECTION_CUSTOM;
  out.set(size, at); at += size.length;
  out.set(body, at); at += body.length;
  out.set(payload, at);
  return out;
}

/** The embedded source map, or null when the component has none (or it does not parse). */
export function readSourceMap(component: Uint8Array): SourceMap | null {
  for (const section of readSections(component, COMPONENT_VERSION)) {
    if (section.id !== SECTION_CUSTOM) continue;
    const reader = new ByteReader(component, section.payloadStart, section.payloadEnd);
    if (reader.name() !== SOURCE_MAP_SECTION) continue;
    try {
      const text = new TextDecoder().decode(component.subarray(reader.offset, section.payloadEnd));
      return new SourceMap(JSON.parse(text) as SourceMapPayload);
    } catch {
      return null;
    }
  }
  return null;
}

/** Frames of the build's own wrapper and prelude (hooks/build/js-wrapper.ts): not the author's. */
const BUILD_FRAMES = /[( ](edgehook-wrapper\.js|edgehook:prelude):\d+:\d+\)?$/;

/** `(file:line:col)` or ` file:line:col` at the end of a stack frame. */
const FRAME_POSITION = /(\(|at )([^()\s]*?):(\d+):(\d+)(\)?)$/;

/** The stack with each frame that the map covers rewritten to the original file, line and column. */
export function mapGuestStack(stack: string, map: SourceMap | null): string {
  const lines = stack.split('\n').map((line) => line.trimEnd()).filter((line) => line.trim() !== '');
  if (map === null) return lines.join('\n');
  return lines.map((line) => line.replace(FRAME_POSITION, (whole, open: string, _file: string, l: string, c: string, close: string) => {
    const origin = map.findOrigin(Number(l), Number(c));
    if (!('fileName' in origin)) return whole;
    return `${open}${origin.fileName}:${origin.lineNumber}:${origin.columnNumber}${close}`;
  })).filter((line) => !BUILD_FRAMES.test(line)).join('\n');
}
