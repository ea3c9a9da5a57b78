/**
 * Command-line flags layered over the raw config before validation, so a flag and the key it
 * replaces go through the same checks. Flag values are checked here first so a bad flag is
 * reported as the flag (`--listen: expected …`), not as a key the user never wrote.
 */
import * as s from './dsl/index.ts';
import { ConfigValidationError } from './config-error.ts';
import { LOG_LEVELS } from './schema.ts';
import { workersField } from './workers-schema.ts';
import { parseHostPort } from './parse-host-port.ts';

export interface ConfigOverrides {
  /** --origin URL: replaces origin.url. */
  readonly origin?: string;
  /** --listen HOST:PORT: replaces listen. */
  readonly listen?: string;
  /** --admin HOST:PORT | off: replaces admin's address (its token settings are kept) or turns it off. */
  readonly admin?: string;
  /** --log-level LEVEL: replaces log.level. */
  readonly logLevel?: string;
  /** --workers N|auto: replaces workers. */
  readonly workers?: string;
  /** --admin-token TOKEN: replaces admin.token (and drops admin.token_env). */
  readonly adminToken?: string;
}

/** The fields flag values are checked with: the same rules as the keys they replace. */
export const FLAG_FIELDS = {
  origin: s.url({ doc: 'Origin base URL.', protocols: ['http:', 'https:'] }),
  address: s.hostPort({ doc: 'Listen address.' }),
  logLevel: s.enumOf(LOG_LEVELS, { doc: 'Log level.' }),
  workers: workersField,
  adminToken: s.string({ doc: 'Admin bearer token.' }),
};

/** Checks one flag value; problems are reported under the flag's name ("--listen: expected …"). */
export function parseFlagValue<T>(field: s.Field<T>, flag: string, value: string, issues: s.ConfigIssue[]): T | s.Invalid {
  return field.parse(value, { path: [flag], issues, baseDir: undefined, env: {} });
}

/** Returns a new raw config with the flags applied; throws a ConfigError naming each bad flag. */
export function applyOverrides(raw: unknown, overrides: ConfigOverrides): unknown {
  const issues: s.ConfigIssue[] = [];
  const check: Check = (field, flag, value) => parseFlagValue(field, flag, value, issues);
  // A root that is not a mapping is left for the schema to report.
  if (raw !== undefined && raw !== null && !s.isPlainObject(raw)) return raw;
  const base: Record<string, unknown> = { ...asMapping(raw) };
  if (overrides.origin !== undefined && check(FLAG_FIELDS.origin, '--origin', overrides.origin) !== s.INVALID) {
    base.origin = { ...asMapping(base.origin), url: overrides.origin };
  }
  if (overrides.listen !== undefined && check(FLAG_FIELDS.address, '--listen', overrides.listen) !== s.INVALID) {
    base.listen = overrides.listen;
  }
  if (overrides.admin !== undefined) applyAdmin(base, overrides.admin, check);
  if (overrides.adminToken !== undefined) applyAdminToken(base, overrides.adminToken, check, issues);
  if (overrides.logLevel !== undefined && check(FLAG_FIELDS.logLevel, '--log-level', overrides.logLevel) !== s.INVALID) {
    base.log = { ...asMapping(base.log), level: overrides.logLevel };
  }
  if (overrides.workers !== undefined) {
    const workers = check(FLAG_FIELDS.workers, '--workers', overrides.workers);
    if (workers !== s.INVALID) base.workers = workers;
  }
  if (issues.length > 0) throw new ConfigValidationError(issues, 'command-line flags');
  return base;
}

type Check = <T>(field: s.Field<T>, flag: string, value: string) => T | s.Invalid;

function applyAdmin(base: Record<string, unknown>, value: string, check: Check): void {
  if (value === 'off') {
    base.admin = false;
    return;
  }
  const address = check(FLAG_FIELDS.address, '--admin', value);
  if (address === s.INVALID) return;
  // Keep token / token_env from the file: the flag moves the admin API, it does not open it up.
  base.admin = { ...asMapping(base.admin), host: address.host, port: address.port };
}

/** The token goes with the admin API wherever it listens; with the API off it has nothing to guard. */
function applyAdminToken(base: Record<string, unknown>, token: string, check: Check, issues: s.ConfigIssue[]): void {
  if (check(FLAG_FIELDS.adminToken, '--admin-token', token) === s.INVALID) return;
  if (base.admin === false) {
    issues.push({ path: ['--admin-token'], message: 'the admin API is off (admin: false or --admin off): give --admin HOST:PORT to turn it on' });
    return;
  }
  let mapping = asMapping(base.admin);
  if (typeof base.admin === 'string') {
    const address = parseHostPort(base.admin);
    if (address === undefined) return; // the schema reports the bad shorthand, by its line
    mapping = { host: address.host, port: address.port };
  }
  const { token_env: _replaced, ...rest } = mapping;
  base.admin = { ...rest, token };
}

function asMapping(value: unknown): Record<string, unknown> {
  return s.isPlainObject(value) ? value : {};
}

/** The config keys the given flags replace, so errors there are not blamed on file lines. */
export function overriddenPaths(overrides: ConfigOverrides): s.KeyPath[] {
  const paths: s.KeyPath[] = [];
  if (overrides.origin !== undefined) paths.push(['origin', 'url']);
  if (overrides.listen !== undefined) paths.push(['listen']);
  if (overrides.admin !== undefined) paths.push(['admin']);
  if (overrides.logLevel !== undefined) paths.push(['log', 'level']);
  if (overrides.workers !== undefined) paths.push(['workers']);
  if (overrides.adminToken !== undefined) paths.push(['admin', 'token']);
  return paths;
}
