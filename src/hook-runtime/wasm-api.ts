/**
 * Typed access to the WebAssembly JS API. The project's lib setting (ES2024 + node types) does not
 * declare it (it lives in lib.dom), so we declare the slice we use here instead of widening the
 * whole project's globals.
 */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
export interface WasmModule { readonly __wasmModule?: never }
export type WasmExport = ((...args: never[]) => unknown) | WasmMemory | { value: unknown };
export interface WasmInstance { readonly exports: Record<string, WasmExport> }
export type WasmImports = Record<string, Record<string, unknown>>;

interface WasmApi {
  Module: {
    new (bytes: Uint8Array): WasmModule;
    imports(module: WasmModule): { module: string; name: string; kind: string }[];
    exports(module: WasmModule): { name: string; kind: string }[];
  };
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
  Memory: abstract new (...args: never[]) => WasmMemory;
  RuntimeError: new (message?: string) => Error;
  CompileError: new (message?: string) => Error;
  LinkError: new (message?: string) => Error;
  validate(bytes: Uint8Array): boolean;
}

export const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function isMemory(value: unknown): value is WasmMemory {
  return value instanceof Wasm.Memory;
}
