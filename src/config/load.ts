/**
 * Loading a config: read a .yaml/.yml/.json file, layer command-line overrides over it,
 * validate, and return the frozen EdgehookConfig, or throw one ConfigError listing every
 * problem with its file:line and key path. Runs once at startup; nothing here is on the
 * request path.
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { ConfigError } from '../errors.ts';
import { ConfigValidationError, locateIssues } from './config-error.ts';
import type { KeyPath } from './dsl/field.ts';
import { applyOverrides, overriddenPaths, type ConfigOverrides } from './overrides.ts';
import { parseJsonSource, parseYamlSource, type LineOf } from './source-map.ts';
import type { EdgehookConfig } from './types.ts';
import { validateConfig } from './validate.ts';

export { applyOverrides, type ConfigOverrides } from './overrides.ts';

export interface ConfigSource {
  /** Shown in messages as given (e.g. "edgehook.yaml"); relative paths in the config resolve against its directory. */
  readonly file?: string;
  /** Line of a key path in the file, for messages. */
  readonly lineOf?: LineOf;
  /** Defaults to process.env; read only while resolving (admin.token_env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface LoadOptions {
  readonly overrides?: ConfigOverrides;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A parsed but not yet validated config file. */
export interface RawConfigFile {
  readonly raw: unknown;
  readonly source: ConfigSource & { readonly file: string; readonly lineOf: LineOf };
}

export async function loadConfigFile(path: string, options: LoadOptions = {}): Promise<EdgehookConfig> {
  const { raw, source } = await readConfigFile(path);
  if (options.overrides === undefined) return resolveConfig(raw, { ...source, env: options.env });
  const replaced = overriddenPaths(options.overrides);
  // A key a flag replaced has no line in the file worth pointing at.
  const lineOf: LineOf = (keyPath) => (replaced.some((prefix) => startsWith(keyPath, prefix)) ? undefined : source.lineOf(keyPath));
  return resolveConfig(applyOverrides(raw, options.overrides), { ...source, lineOf, env: options.env });
}

/** Reads and parses (but does not validate) a config file; syntax errors throw with file:line:col. */
export async function readConfigFile(path: string): Promise<RawConfigFile> {
  const extension = extname(path).toLowerCase();
  if (!['.yaml', '.yml', '.json'].includes(extension)) {
    throw new ConfigError(`${path}: expected a .yaml, .yml or .json config file, got "${extension || 'no extension'}"`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: cannot read config file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const parsed = extension === '.json' ? parseJsonSource(text, path) : parseYamlSource(text, path);
  if (parsed.syntaxErrors.length > 0) throw new ConfigValidationError(parsed.syntaxErrors, `${extension === '.json' ? 'JSON' : 'YAML'} in ${path}`);
  return { raw: parsed.raw, source: { file: path, lineOf: parsed.lineOf } };
}

/** Validates a raw config (already parsed, overrides applied) into the frozen EdgehookConfig. */
export function resolveConfig(raw: unknown, source: ConfigSource = {}): EdgehookConfig {
  const baseDir = source.file === undefined ? undefined : dirname(resolve(source.file));
  const result = validateConfig(raw, { env: source.env ?? process.env, baseDir });
  if (result.ok) return result.config;
  const what = source.file === undefined ? 'configuration' : `configuration in ${source.file}`;
  throw new ConfigValidationError(locateIssues(result.issues, source.file, source.lineOf), what);
}

/** A config from command-line flags alone (no file): everything else takes its default. */
export function configFromFlags(overrides: ConfigOverrides, options: Pick<LoadOptions, 'env'> = {}): EdgehookConfig {
  if (overrides.origin === undefined) throw new ConfigError('no origin: pass --origin URL, or --config FILE');
  return resolveConfig(applyOverrides({}, overrides), { env: options.env });
}

function startsWith(path: KeyPath, prefix: KeyPath): boolean {
  return prefix.every((segment, index) => path[index] === segment);
}
