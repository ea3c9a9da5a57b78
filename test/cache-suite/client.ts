/**
 * Run the http-cache-tests command-line client against a cache. The client reads its target and
 * test id from npm-config environment variables (what `npm run cli --base=… --id=…` would set) and
 * prints the raw results as JSON on stdout. Both variables must be set: with `id` unset, cli.mjs
 * treats `undefined` as a test id and crashes.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { RawResults } from './classify.ts';
import type { SuiteSource } from './suite-source.ts';

function clientEnv(baseUrl: string, testId: string): NodeJS.ProcessEnv {
  // The client appends "/test/<uuid>" itself, so the base must not end in "/".
  const base = baseUrl.replace(/\/+$/, '');
  return { ...process.env, npm_config_base: base, npm_config_id: testId, npm_package_config_id: testId };
}

/** The whole suite; resolves with the client's JSON. */
export function runSuiteClient(source: SuiteSource, baseUrl: string, timeoutMs: number): Promise<RawResults> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--no-warnings', join(source.engineDir, 'cli.mjs')], {
      cwd: source.root, env: clientEnv(baseUrl, ''), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024,
    }, (error, stdout, stderr) => {
      // cli.mjs swallows its own errors (console.error, exit 0), so an empty stdout is the signal.
      if (error) return reject(new Error(`cache-tests client failed: ${error.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout) as RawResults);
      } catch {
        reject(new Error(`cache-tests client printed no JSON results\n--- stderr ---\n${stderr}\n--- stdout ---\n${stdout.slice(0, 2000)}`));
      }
    });
  });
}

/** One test with the client's request/response dump on our stdout, for debugging a failure. */
export function runSingleTest(source: SuiteSource, baseUrl: string, testId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', join(source.engineDir, 'cli.mjs')], {
      cwd: source.root, env: clientEnv(baseUrl, testId), stdio: 'inherit',
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}
