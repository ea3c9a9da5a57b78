/**
 * Load the test definitions the http-cache-tests CLI runs (tests/index.mjs plus surrogate-control,
 * as cli.mjs does), skipping the browser-only ones the CLI skips too.
 */
import type { SuiteTest, TestKind } from './classify.ts';

interface RawTest {
  id: string;
  name: string;
  kind?: TestKind;
  depends_on?: string[];
  browser_only?: boolean;
}

interface RawSuite {
  id: string;
  name: string;
  tests: RawTest[];
}

async function importSuiteModule(path: string): Promise<unknown> {
  // The package ships untyped .mjs with no "exports" map; deep-import and check the shape below.
  const module = (await import(import.meta.resolve(`http-cache-tests/${path}`))) as { default: unknown };
  return module.default;
}

export async function loadSuiteTests(): Promise<Map<string, SuiteTest>> {
  const suites = (await importSuiteModule('tests/index.mjs')) as RawSuite[];
  const surrogate = (await importSuiteModule('tests/surrogate-control.mjs')) as RawSuite;
  const tests = new Map<string, SuiteTest>();
  for (const suite of [...suites, surrogate]) {
    for (const test of suite.tests) {
      if (test.browser_only === true) continue;
      tests.set(test.id, {
        id: test.id, name: test.name, suite: suite.name,
        kind: test.kind ?? 'required', dependsOn: test.depends_on ?? [],
      });
    }
  }
  return tests;
}
