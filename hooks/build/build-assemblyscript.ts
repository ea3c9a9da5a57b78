/**
 * Builds an AssemblyScript hook into a component with a single core module (the fast guest path):
 * asc compiles the entry plus the SDK, binaryen renames the generated wrappers to the canonical
 * export names (AssemblyScript cannot spell `-`, `:` or `#`), then jco embeds the contract world
 * (string-encoding=utf16, AssemblyScript's own) and wraps the module into a component.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';
import binaryen from 'binaryen';
import { componentEmbed, componentNew } from '@bytecodealliance/jco';
import type { PhaseName } from '../../src/pipeline/hook-seam.ts';
import { contractWit, phaseCoreExport, worldForPhases } from '../../src/hook-runtime/contract.ts';

const SDK_PATH = fileURLToPath(new URL('../assemblyscript/edgehook.as', import.meta.url));

/** Entry functions an AssemblyScript hook exports, by phase. */
const ENTRY_FUNCTION: Record<PhaseName, string> = {
  'on-request': 'onRequest', 'on-origin-response': 'onOriginResponse', 'on-response': 'onResponse',
};

export function assemblyScriptSdkSource(): Promise<string> {
  return readFile(SDK_PATH, 'utf8');
}

/** Which phases the entry exports, from its `export function onRequest(...)` declarations. */
export function detectAssemblyScriptPhases(source: string): PhaseName[] {
  return (Object.keys(ENTRY_FUNCTION) as PhaseName[])
    .filter((phase) => new RegExp(`export\\s+function\\s+${ENTRY_FUNCTION[phase]}\\s*\\(`).test(source));
}

function wrapperSource(phases: readonly PhaseName[]): string {
  const lines = [
    'import { __lowerVerdict } from "./edgehook";',
    'export { cabi_realloc } from "./edgehook";',
    `import { ${phases.map((p) => ENTRY_FUNCTION[p]).join(', ')} } from "./hook";`,
  ];
  for (const phase of phases) {
    lines.push(`export function __eh_${ENTRY_FUNCTION[phase]}(): usize { return __lowerVerdict(${ENTRY_FUNCTION[phase]}()); }`);
  }
  return lines.join('\n');
}

/**
 * asc's diagnostics with the staged `hook.ts` replaced by the author's file, and each error first
 * as one `file:line:col message` line (asc prints `ERROR TS2322: …` and, lines later, `in hook.ts(9,41)`).
 */
export function authorDiagnostics(text: string, sourceName: string): string {
  const named = text.replace(/\bin hook\.ts\((\d+),(\d+)\)/g, `in ${sourceName}($1,$2)`);
  const summary: string[] = [];
  for (const match of text.matchAll(/^ERROR (\w+): (.*)$[\s\S]*?in hook\.ts\((\d+),(\d+)\)/gm)) {
    summary.push(`${sourceName}:${match[3]}:${match[4]} error ${match[1]}: ${match[2]}`);
  }
  return summary.length === 0 ? named : `${summary.join('\n')}\n\n${named}`;
}

async function compile(source: string, sdk: string, phases: readonly PhaseName[], sourceName: string): Promise<Uint8Array> {
  // Only main.ts is an entry (its exports are the module's); the others are served from memory.
  const files: Record<string, string> = { 'main.ts': wrapperSource(phases), 'hook.ts': source, 'edgehook.ts': sdk };
  let binary: Uint8Array | undefined;
  let diagnostics = '';
  const result = await asc.main([
    'main.ts', '--outFile', 'out.wasm', '-O3', '--runtime', 'incremental',
    '--exportStart', '_initialize', '--use', 'abort=edgehook/__ehAbort',
    // asc colours diagnostics whenever CI is set; the text goes into an error message and a log line.
    '--noColors',
  ], {
    readFile: (name) => files[name.replace(/^\.\//, '')] ?? null,
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
    },
    listFiles: () => [],
    stderr: { write: (chunk: string | Uint8Array) => { diagnostics += chunk.toString(); return true; } } as never,
  });
  if (result.error !== null || binary === undefined) {
    throw new Error(`asc failed: ${result.error?.message ?? 'no output'}\n${authorDiagnostics(diagnostics, sourceName)}`);
  }
  return binary;
}

/** Renames `__eh_onRequest` etc. to `edgehook:hooks/on-request@0.1.0#handle`. */
function renameExports(binary: Uint8Array, phases: readonly PhaseName[]): Uint8Array {
  const module = binaryen.readBinary(binary);
  try {
    for (const phase of phases) {
      const from = `__eh_${ENTRY_FUNCTION[phase]}`;
      const info = binaryen.getExportInfo(module.getExport(from));
      module.removeExport(from);
      module.addFunctionExport(info.value, phaseCoreExport(phase));
    }
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

export interface AssemblyScriptBuild {
  readonly component: Uint8Array;
  readonly phases: PhaseName[];
  readonly world: string;
}

/** `sourceName`: the author's file, named in compile errors instead of the staged copy. */
export async function buildAssemblyScriptHook(source: string, sourceName = 'hook.as'): Promise<AssemblyScriptBuild> {
  const phases = detectAssemblyScriptPhases(source);
  if (phases.length === 0) {
    throw new Error('the entry exports none of onRequest, onOriginResponse, onResponse');
  }
  const world = worldForPhases(phases);
  const core = renameExports(await compile(source, await assemblyScriptSdkSource(), phases, sourceName), phases);
  const embedded = await componentEmbed({
    binary: core, witSource: contractWit(), world, stringEncoding: 'utf16',
  });
  return { component: await componentNew(embedded), phases, world };
}
