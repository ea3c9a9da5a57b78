/**
 * `edgehook hook new <name> [--lang ts|as]`: a hook folder an editor understands at once — the
 * source, a tsconfig that resolves the contract's types (hooks/types) and the console the build
 * provides, a flow test (`edgehook hook test`), and a README. Imports nothing heavy: it only
 * writes files, in milliseconds (the toolchain loads for build/run/test only).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type HookLang = 'ts' | 'as';

/** The edgehook checkout the CLI runs from (its hooks/ holds the types and the AS SDK). */
const EDGEHOOK_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const TS_TEMPLATE = `// An edgehook hook (contract edgehook:hooks@0.1.0, see wit/README.md).
// Build: edgehook hook build hook.ts   Test: edgehook hook test   Try: edgehook hook run hook.ts --url http://example.com/
import { getHeader, setHeader } from 'edgehook:hooks/request@0.1.0';
import type { Verdict } from 'edgehook:hooks/types@0.1.0';

export const onRequest = {
  handle(): Verdict {
    // A WIT none arrives as null in QuickJS and undefined in SpiderMonkey: compare loosely.
    if (getHeader('x-block') != null) {
      return { tag: 'respond', val: { status: 403, headers: [['content-type', 'text/plain']], body: new Uint8Array([110, 111]) } };
    }
    setHeader('x-hello', 'from __NAME__');
    console.log('request seen');
    return { tag: 'continue' };
  },
};
`;

export const AS_TEMPLATE = `// An edgehook hook in AssemblyScript (the fast path; contract: wit/README.md).
// Build: edgehook hook build hook.as   Test: edgehook hook test   Try: edgehook hook run hook.as --url http://example.com/
import { Verdict, proceed, respond, request, log, LogLevel } from "./edgehook";

export function onRequest(): Verdict {
  if (request.getHeader("x-block") !== null) return respond(403, ["content-type", "text/plain"], "no");
  request.setHeader("x-hello", "from __NAME__");
  log(LogLevel.Info, "request seen");
  return proceed();
}
`;

const FLOW_TEST = `# A flow test: edgehook hook test runs it through a real node (all three phases).
# Fields: docs in hooks/README.md ("Flow tests").
name: adds x-hello and lets x-block through as a 403
cases:
  - name: a plain request reaches the origin with x-hello
    request: { method: GET, url: /hello, client_ip: 81.2.69.142 }
    origin: { status: 200, headers: { content-type: text/plain, cache-control: max-age=60 }, body: hello }
    expect:
      status: 200
      body: hello
      ttl: 60
      origin_request: { headers: { x-hello: from __NAME__ } }
      logs: [request seen]
  - name: x-block is answered locally
    request: { url: /hello, headers: { x-block: "1" } }
    expect: { status: 403, body: "no", origin_request: null }
`;

const README = `# __NAME__

An [edgehook](__ROOT__/README.md) hook (contract: __ROOT__/wit/README.md).

    edgehook hook build __FILE__          # → __STEM__.wasm (type-checked first)
    edgehook hook test                    # runs tests/*.yaml through a real node
    edgehook hook run __FILE__ --url http://example.com/hello -H 'x-block: 1'
    edgehook hook dev __FILE__ --origin http://127.0.0.1:9001   # rebuild and reload on save

Enable it in the node's config:

    hooks:
      - name: __NAME__
        module: ./__NAME__/__STEM__.wasm
        phases: [on-request]
`;

/** tsconfig for a TS hook: the contract's declarations and the build's console, nothing from Node. */
function tsconfig(dir: string): string {
  const types = (file: string): string => relative(dir, join(EDGEHOOK_ROOT, 'hooks', file)).split('\\').join('/');
  return `${JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022'], types: [],
      strict: true, noEmit: true, isolatedModules: true, skipLibCheck: true,
    },
    files: [types('types/hook-all.d.ts'), types('sdk/console.d.ts')],
    include: ['*.ts', 'src/**/*.ts'],
  }, null, 2)}\n`;
}

/** For AssemblyScript: editors read `.as` as TypeScript; the SDK is staged as ./edgehook by the build. */
function vscodeSettings(): string {
  return `${JSON.stringify({ 'files.associations': { '*.as': 'typescript' } }, null, 2)}\n`;
}

/**
 * What an editor resolves `./edgehook` to: the SDK's declarations (hooks/assemblyscript/edgehook.d.ts,
 * generated from the SDK, with AssemblyScript's number types). The build never reads this file: it
 * stages the SDK source itself as ./edgehook.
 */
function asEditorTypes(dir: string): string {
  const sdk = relative(dir, join(EDGEHOOK_ROOT, 'hooks', 'assemblyscript', 'edgehook')).split('\\').join('/');
  return `// Editor types only: the build compiles your hook against the SDK it ships (./edgehook).\nexport * from '${sdk.startsWith('.') ? sdk : `./${sdk}`}';\n`;
}

export interface ScaffoldResult { readonly files: string[]; readonly entry: string }

/** Writes the folder; refuses to overwrite an existing entry. */
export async function scaffoldHook(target: string, lang: HookLang): Promise<ScaffoldResult> {
  const name = basename(target);
  const dir = resolve(target);
  const file = lang === 'as' ? 'hook.as' : 'hook.ts';
  const entry = join(target, file);
  if (existsSync(entry)) throw new Error(`${entry} already exists`);
  const fill = (text: string): string => text.replaceAll('__NAME__', name).replaceAll('__FILE__', file)
    .replaceAll('__STEM__', 'hook').replaceAll('__ROOT__', relative(dir, EDGEHOOK_ROOT).split('\\').join('/') || '.');
  const files: Array<[string, string]> = [
    [file, fill(lang === 'as' ? AS_TEMPLATE : TS_TEMPLATE)],
    [join('tests', 'hello.yaml'), fill(FLOW_TEST)],
    ['README.md', fill(README)],
    ['.gitignore', '*.wasm\n.cache/\n'],
    ...(lang === 'ts' ? [['tsconfig.json', tsconfig(dir)] as [string, string]]
      : [[join('.vscode', 'settings.json'), vscodeSettings()], ['edgehook.d.ts', asEditorTypes(dir)]] as Array<[string, string]>),
  ];
  await mkdir(join(dir, 'tests'), { recursive: true });
  if (lang === 'as') await mkdir(join(dir, '.vscode'), { recursive: true });
  for (const [path, text] of files) await writeFile(join(dir, path), text);
  return { files: files.map(([path]) => join(target, path)), entry };
}
