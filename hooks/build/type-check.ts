/**
 * Type-checks a TypeScript hook against the contract's generated declarations (hooks/types) and
 * the console the build provides (hooks/sdk) before it is bundled: a misspelled host function, a
 * number where the WIT wants a string, or `{ tag: 'contine' }` fails the build with
 * `file:line:col message` lines, as tsc prints them for editors and CI. The options are the
 * scaffold's tsconfig (src/cli/hook-scaffold.ts): strict, ES2022, no Node or DOM types. The
 * compiler is imported on first use (it takes about a second to load).
 */
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompilerOptions, Diagnostic, Program } from 'typescript';

export const CONTRACT_DECLARATIONS = [
  fileURLToPath(new URL('../types/hook-all.d.ts', import.meta.url)),
  fileURLToPath(new URL('../sdk/console.d.ts', import.meta.url)),
];

export class HookTypeError extends Error {
  override readonly name = 'HookTypeError';
  readonly diagnostics: readonly string[];

  constructor(diagnostics: readonly string[]) {
    super(`type errors:\n${diagnostics.join('\n')}`);
    this.diagnostics = diagnostics;
  }
}

/** The previous program, reused by the next check of the same entry (watch mode: ~5× faster). */
const previous = new Map<string, Program>();

function format(ts: typeof import('typescript'), diagnostic: Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (diagnostic.file === undefined || diagnostic.start === undefined) return `error TS${diagnostic.code}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const file = relative(process.cwd(), diagnostic.file.fileName) || diagnostic.file.fileName;
  return `${file}:${line + 1}:${character + 1} error TS${diagnostic.code}: ${message}`;
}

/** Throws HookTypeError listing every error; returns quietly when the entry checks. */
export async function typeCheckHook(entry: string): Promise<void> {
  const ts = (await import('typescript')).default;
  const options: CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'], types: [], strict: true, noEmit: true, isolatedModules: true, skipLibCheck: true,
    allowImportingTsExtensions: true,
  };
  const key = resolve(entry);
  const program = ts.createProgram({ rootNames: [key, ...CONTRACT_DECLARATIONS], options, oldProgram: previous.get(key) });
  previous.set(key, program);
  const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) throw new HookTypeError(errors.map((d) => format(ts, d)));
}
