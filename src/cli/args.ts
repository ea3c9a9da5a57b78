/**
 * The command line, parsed into one tagged union before anything runs. Flag values are checked
 * here with the same rules as the config keys they replace, so `--listen nonsense` fails as a
 * usage error naming the flag, before a file is read or a socket opened.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.ts';
import type { LogLevel } from '../log.ts';
import { formatKeyPath, INVALID, type ConfigIssue, type Field } from '../config/dsl/field.ts';
import { FLAG_FIELDS, parseFlagValue, type ConfigOverrides } from '../config/overrides.ts';
import type { HostPort } from '../config/parse-host-port.ts';
import { didYouMean } from '../config/suggest.ts';
import { HOOK_ACTION_NAMES } from './hook-flags.ts';

export const COMMANDS = ['serve', 'demo', 'hook', 'fleet', 'help'] as const;
export const HOOK_ACTIONS = HOOK_ACTION_NAMES;
export type HookAction = (typeof HOOK_ACTIONS)[number];
export const FLEET_ACTIONS = ['purge', 'deploy', 'rollback', 'status'] as const;
export type FleetAction = (typeof FLEET_ACTIONS)[number];
/** A command with its own help page; null is the global page. */
export type HelpTopic = 'serve' | 'demo' | 'hook' | 'fleet';

export type CliCommand =
  | { readonly command: 'help'; readonly topic: HelpTopic | null }
  | { readonly command: 'version' }
  | {
    readonly command: 'serve';
    /** --config FILE, or null to run from flags alone (then overrides.origin is set). */
    readonly configFile: string | null;
    /** Checked flag values, to layer over the file with applyOverrides / configFromFlags. */
    readonly overrides: ConfigOverrides;
  }
  | {
    readonly command: 'demo';
    readonly listen: HostPort;
    /** Where the demo's built-in origin listens. */
    readonly originListen: HostPort;
    /** null = --admin off. */
    readonly admin: HostPort | null;
    readonly logLevel: LogLevel;
  }
  | {
    readonly command: 'hook';
    readonly action: HookAction;
    /** Everything after the action, untouched (the hook tooling parses it). */
    readonly args: readonly string[];
  }
  | {
    readonly command: 'fleet';
    readonly action: FleetAction;
    /** Everything after the action, untouched (cli/fleet-command.ts parses it). */
    readonly args: readonly string[];
  };

/** A bad command line: printed as is (no stack), followed by a pointer to the right help page. */
export class UsageError extends ConfigError {
  readonly topic: HelpTopic | null;

  constructor(message: string, topic: HelpTopic | null) {
    super(`${message}\nRun "edgehook ${topic === null ? '' : `${topic} `}--help" for usage.`);
    this.name = 'UsageError';
    this.topic = topic;
    // A usage error is the user's typo, not a bug: a stack trace would only bury the message.
    this.stack = `${this.name}: ${this.message}`;
  }
}

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** Placeholder shown in messages and help ("HOST:PORT"). */
  readonly value?: string;
  readonly short?: string;
}

const HELP_FLAG = { type: 'boolean', short: 'h' } as const satisfies FlagSpec;

/** Every flag each command accepts; help.ts documents each one (a test checks). */
export const COMMAND_FLAGS = {
  serve: {
    config: { type: 'string', value: 'FILE' },
    origin: { type: 'string', value: 'URL' },
    listen: { type: 'string', value: 'HOST:PORT' },
    admin: { type: 'string', value: 'HOST:PORT|off' },
    'admin-token': { type: 'string', value: 'TOKEN' },
    'log-level': { type: 'string', value: 'LEVEL' },
    workers: { type: 'string', value: 'N|auto' },
    help: HELP_FLAG,
  },
  demo: {
    listen: { type: 'string', value: 'HOST:PORT' },
    'origin-listen': { type: 'string', value: 'HOST:PORT' },
    admin: { type: 'string', value: 'HOST:PORT|off' },
    'log-level': { type: 'string', value: 'LEVEL' },
    help: HELP_FLAG,
  },
} as const satisfies Record<string, Record<string, FlagSpec>>;

/** Demo defaults: the proxy where `serve` listens by default, its origin beside it. */
export const DEMO_DEFAULTS = { listen: '127.0.0.1:8080', originListen: '127.0.0.1:9001', admin: '127.0.0.1:9090', logLevel: 'info' } as const;

/** Parses argv without the node and script entries (process.argv.slice(2)). */
export function parseCli(argv: readonly string[]): CliCommand {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') return { command: 'help', topic: null };
  if (first === '--version') return { command: 'version' };
  switch (first) {
    case 'serve': return parseServe(rest);
    case 'demo': return parseDemo(rest);
    case 'hook': return parseHook(rest);
    case 'fleet': return parseFleet(rest);
    case 'help': return parseHelp(rest);
    default: throw unknownCommand(first);
  }
}

function unknownCommand(word: string): UsageError {
  const what = word.startsWith('-') ? `unknown option ${word}` : `unknown command "${word}"`;
  return new UsageError(`${what}${didYouMean(word, [...COMMANDS, '--help', '--version'])}`, null);
}

function parseHelp(rest: readonly string[]): CliCommand {
  const [topic, extra] = rest;
  if (topic === undefined) return { command: 'help', topic: null };
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, null);
  if (topic === 'serve' || topic === 'demo' || topic === 'hook' || topic === 'fleet') return { command: 'help', topic };
  throw unknownCommand(topic);
}

function parseServe(rest: readonly string[]): CliCommand {
  if (wantsHelp(rest)) return { command: 'help', topic: 'serve' };
  const flags = readFlags(rest, COMMAND_FLAGS.serve, 'serve');
  const configFile = flags.get('config') ?? null;
  const overrides = serveOverrides(flags);
  if (configFile === null && overrides.origin === undefined) {
    throw new UsageError('edgehook serve needs --config FILE or --origin URL', 'serve');
  }
  return { command: 'serve', configFile, overrides };
}

function serveOverrides(flags: ReadonlyMap<string, string>): ConfigOverrides {
  const overrides: { -readonly [K in keyof ConfigOverrides]: ConfigOverrides[K] } = {};
  const [origin, listen, admin, level, workers, adminToken] = ['origin', 'listen', 'admin', 'log-level', 'workers', 'admin-token'].map((name) => flags.get(name));
  if (origin !== undefined) overrides.origin = checkFlag(FLAG_FIELDS.origin, '--origin', origin, 'serve');
  if (listen !== undefined) overrides.listen = addressText('--listen', listen);
  if (admin !== undefined) overrides.admin = admin === 'off' ? admin : addressText('--admin', admin);
  if (level !== undefined) overrides.logLevel = checkFlag(FLAG_FIELDS.logLevel, '--log-level', level, 'serve');
  if (workers !== undefined) {
    checkFlag(FLAG_FIELDS.workers, '--workers', workers, 'serve');
    overrides.workers = workers;
  }
  if (adminToken !== undefined) {
    if (admin === 'off') throw new UsageError('--admin-token: the admin API is off (--admin off)', 'serve');
    overrides.adminToken = checkFlag(FLAG_FIELDS.adminToken, '--admin-token', adminToken, 'serve');
  }
  return overrides;
}

/** Overrides stay text (applyOverrides takes text); this only checks the shape. */
function addressText(flag: string, value: string): string {
  checkFlag(FLAG_FIELDS.address, flag, value, 'serve');
  return value;
}

/** -h anywhere wins, so `serve --bad-flag --help` still shows help instead of an error. */
function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

function parseDemo(rest: readonly string[]): CliCommand {
  if (wantsHelp(rest)) return { command: 'help', topic: 'demo' };
  const flags = readFlags(rest, COMMAND_FLAGS.demo, 'demo');
  const address = (flag: string, fallback: string): HostPort =>
    checkFlag(FLAG_FIELDS.address, `--${flag}`, flags.get(flag) ?? fallback, 'demo');
  const adminText = flags.get('admin') ?? DEMO_DEFAULTS.admin;
  return {
    command: 'demo',
    listen: address('listen', DEMO_DEFAULTS.listen),
    originListen: address('origin-listen', DEMO_DEFAULTS.originListen),
    admin: adminText === 'off' ? null : address('admin', DEMO_DEFAULTS.admin),
    logLevel: checkFlag(FLAG_FIELDS.logLevel, '--log-level', flags.get('log-level') ?? DEMO_DEFAULTS.logLevel, 'demo'),
  };
}

/** `fleet <action> ...`: only the action is ours; the rest belongs to cli/fleet-command.ts. */
function parseFleet(rest: readonly string[]): CliCommand {
  const [action, ...args] = rest;
  if (action === undefined || action === '--help' || action === '-h') return { command: 'help', topic: 'fleet' };
  if (!(FLEET_ACTIONS as readonly string[]).includes(action)) {
    throw new UsageError(`unknown fleet action "${action}"${didYouMean(action, FLEET_ACTIONS)}; expected one of ${FLEET_ACTIONS.join(', ')}`, 'fleet');
  }
  return { command: 'fleet', action: action as FleetAction, args };
}

/** `hook <action> ...`: only the action is ours; the rest belongs to the hook tooling. */
function parseHook(rest: readonly string[]): CliCommand {
  const [action, ...args] = rest;
  if (action === undefined || action === '--help' || action === '-h') return { command: 'help', topic: 'hook' };
  if (!isHookAction(action)) {
    const hint = didYouMean(action, HOOK_ACTIONS);
    throw new UsageError(`unknown hook action "${action}"${hint}; expected one of ${HOOK_ACTIONS.join(', ')}`, 'hook');
  }
  return { command: 'hook', action, args };
}

function isHookAction(word: string): word is HookAction {
  return (HOOK_ACTIONS as readonly string[]).includes(word);
}

/**
 * Reads flags with parseArgs in token mode and checks them ourselves, so every mistake gets a
 * message in edgehook's words (with a "did you mean") rather than parseArgs' generic one.
 * Returns flag name → value ('' for booleans); a repeated flag keeps its last value.
 */
function readFlags(args: readonly string[], specs: Readonly<Record<string, FlagSpec>>, topic: HelpTopic): Map<string, string> {
  const options = Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, { type: spec.type, ...(spec.short === undefined ? {} : { short: spec.short }) }]));
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const flags = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') throw new UsageError(`unexpected argument "${token.value}"`, topic);
    const spec = specs[token.name];
    if (spec === undefined) throw unknownFlag(token.rawName, token.name, specs, topic);
    flags.set(token.name, flagValue(token.rawName, token.value, token.inlineValue, spec, topic));
  }
  return flags;
}

function unknownFlag(rawName: string, name: string, specs: Readonly<Record<string, FlagSpec>>, topic: HelpTopic): UsageError {
  const owner = Object.entries(COMMAND_FLAGS).find(([command, flags]) => command !== topic && Object.hasOwn(flags, name))?.[0];
  const hint = owner === undefined ? didYouMean(`--${name}`, Object.keys(specs).map((flag) => `--${flag}`), '') : ` (it belongs to "edgehook ${owner}")`;
  return new UsageError(`unknown option ${rawName}${hint}`, topic);
}

function flagValue(rawName: string, value: string | undefined, inline: boolean | undefined, spec: FlagSpec, topic: HelpTopic): string {
  if (spec.type === 'boolean') {
    if (value !== undefined) throw new UsageError(`${rawName} does not take a value`, topic);
    return '';
  }
  // parseArgs (non-strict) would take the next flag as the value: `--listen --origin x`.
  if (value === undefined || (inline !== true && value.startsWith('-'))) {
    throw new UsageError(`${rawName} needs a value (${spec.value ?? 'VALUE'})`, topic);
  }
  return value;
}

function checkFlag<T>(field: Field<T>, flag: string, value: string, topic: HelpTopic): T {
  const issues: ConfigIssue[] = [];
  const parsed = parseFlagValue(field, flag, value, issues);
  if (parsed !== INVALID) return parsed;
  const [issue] = issues;
  throw new UsageError(issue === undefined ? `${flag}: invalid value` : `${formatKeyPath(issue.path)}: ${issue.message}`, topic);
}
