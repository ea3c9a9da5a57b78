/**
 * Help for `edgehook hook` and each of its actions: usage, what it does, every flag from the
 * table in hook-flags.ts (so help and parser cannot disagree), and examples to copy.
 */
import { HOOK_ACTION_NAMES, HOOK_FLAGS, type HookActionName } from './hook-flags.ts';

interface ActionDoc { readonly usage: string; readonly summary: string; readonly about: string; readonly examples: readonly string[] }

const DOCS: Record<HookActionName, ActionDoc> = {
  new: {
    usage: 'edgehook hook new NAME [--lang ts|as]',
    summary: 'Create a hook folder: source, tsconfig, a flow test and a README.',
    about: 'Writes NAME/hook.ts (or hook.as), NAME/tsconfig.json (resolves the contract types; for AS a\n'
      + '.vscode setting that reads .as as TypeScript), NAME/tests/hello.yaml and NAME/README.md.',
    examples: ['edgehook hook new add-header', 'edgehook hook new fast-auth --lang as', 'cd add-header && edgehook hook test'],
  },
  build: {
    usage: 'edgehook hook build ENTRY [--engine quickjs|spidermonkey] [-o OUT.wasm]',
    summary: 'Type-check and compile a hook into a WebAssembly component edgehook can load.',
    about: 'TypeScript entries are type-checked against the contract first: errors print as\n'
      + 'file:line:col message and the build fails. AssemblyScript (.as) errors name your file and line.\n'
      + 'Builds are cached by content hash under .cache/.',
    examples: ['edgehook hook build my-hook/hook.ts', 'edgehook hook build my-hook/hook.as -o dist/my-hook.wasm',
      'edgehook hook build hook.ts --engine spidermonkey'],
  },
  run: {
    usage: 'edgehook hook run MODULE|ENTRY [--phase PHASE] [request flags] [response flags]',
    summary: 'Run one phase of a hook against a sample request, without a proxy.',
    about: 'Prints the verdict, the edits it made (headers, path, TTL, tags…) and its log lines as JSON;\n'
      + 'a failure is also printed on stderr with the hook\'s stack. Exits 1 when the hook failed.',
    examples: [
      'edgehook hook run my-hook/hook.ts --url http://x.test/a -H "accept: */*"',
      'edgehook hook run my-hook/hook.ts --client-ip 81.2.69.142        # geo from geoip-lite',
      'edgehook hook run hook.wasm --phase on-origin-response --status 200 --response-header "cache-control: max-age=5"',
      'edgehook hook run hook.as --phase on-origin-response --image photo.jpg',
    ],
  },
  test: {
    usage: 'edgehook hook test [FILE|DIR...] [--hook ENTRY] [--engine quickjs|spidermonkey]',
    summary: 'Run flow tests (YAML/JSON) through a real node: all three phases, a real origin.',
    about: 'Each case sends its request to a real edgehook node in front of an origin that answers with\n'
      + 'the case\'s origin response, then compares status, headers, body, TTL, tags, what reached the\n'
      + 'origin and log lines. Default: tests/ of the current folder. Exits 1 on any difference.',
    examples: ['edgehook hook test', 'edgehook hook test tests/geo.yaml --hook hook.as', 'edgehook hook test my-hook/tests'],
  },
  dev: {
    usage: 'edgehook hook dev ENTRY --origin URL [--listen HOST:PORT] [--phases LIST] [--config JSON]',
    summary: 'Serve a node with the hook, rebuild on save and hot-swap it.',
    about: 'Watches the entry\'s folder; a change rebuilds the hook and swaps it in atomically. A failing\n'
      + 'build prints its errors and the last good module keeps serving.',
    examples: ['edgehook hook dev my-hook/hook.ts --origin http://127.0.0.1:9001',
      'edgehook hook dev hook.as --origin https://example.com --listen 127.0.0.1:8000'],
  },
};

function flagLines(action: HookActionName): string[] {
  return Object.entries(HOOK_FLAGS[action]).map(([name, spec]) => {
    const left = `  ${spec.short === undefined ? '' : `-${spec.short}, `}--${name}${spec.value === undefined ? '' : ` ${spec.value}`}`;
    return `${left.padEnd(34)} ${spec.doc}`;
  });
}

export function hookActionHelp(action: HookActionName): string {
  const doc = DOCS[action];
  return [`Usage: ${doc.usage}`, '', doc.summary, doc.about, '', 'Options:', ...flagLines(action),
    `  ${'-h, --help'.padEnd(32)} Show this help.`, '', 'Examples:', ...doc.examples.map((e) => `  ${e}`), ''].join('\n');
}

export function hookOverviewHelp(): string {
  return [
    'Usage: edgehook hook <new|build|run|test|dev> [ARGS...]', '',
    'Tools for hook authors. "edgehook hook ACTION --help" shows an action\'s options.', '',
    'Actions:', ...HOOK_ACTION_NAMES.map((name) => `  ${name.padEnd(7)} ${DOCS[name].summary}`), '',
    'A built hook is enabled by listing it under hooks: in the config file (docs/configuration.md).', '',
    'Examples:', '  edgehook hook new my-hook', '  cd my-hook && edgehook hook test', '  edgehook hook build hook.ts',
    '  edgehook hook dev hook.ts --origin http://127.0.0.1:9001', '',
  ].join('\n');
}
