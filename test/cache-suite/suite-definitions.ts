/**
 * Load the test definitions the http-cache-tests CLI runs (tests/index.mjs plus, in the npm
 * package, surrogate-control — as its cli.mjs does), skipping the browser-only ones the CLI skips too.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SuiteTest, TestKind } from './classify.ts';
import type { SuiteSource } from './suite-source.ts';

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

async function importSuiteModule(source: SuiteSource, path: string): Promise<unknown> {
  // Untyped .mjs with no "exports" map; the shape is checked where it is used.
  const module = (await import(pathToFileURL(join(source.root, path)).href)) as { default: unknown };
  return module.default;
}

export async function loadSuiteTests(source: SuiteSource): Promise<Map<string, SuiteTest>> {
  const suites = [...(await importSuiteModule(source, 'tests/index.mjs')) as RawSuite[]];
  for (const extra of source.extraSuites) suites.push((await importSuiteModule(source, extra)) as RawSuite);
  const tests = new Map<string, SuiteTest>();
  for (const suite of suites) {
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
