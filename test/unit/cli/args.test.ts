import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.ts';
import { parseCli, UsageError, type CliCommand } from '../../../src/cli/args.ts';

describe('parseCli', () => {
  const ok: Array<[string, string[], CliCommand]> = [
    ['no arguments shows help', [], { command: 'help', topic: null }],
    ['--help', ['--help'], { command: 'help', topic: null }],
    ['-h', ['-h'], { command: 'help', topic: null }],
    ['help serve', ['help', 'serve'], { command: 'help', topic: 'serve' }],
    ['--version', ['--version'], { command: 'version' }],
    ['serve --help', ['serve', '--help'], { command: 'help', topic: 'serve' }],
    ['serve -h wins over a bad flag', ['serve', '--bogus', '-h'], { command: 'help', topic: 'serve' }],
    ['demo -h', ['demo', '-h'], { command: 'help', topic: 'demo' }],
    ['hook --help', ['hook', '--help'], { command: 'help', topic: 'hook' }],
    ['hook alone', ['hook'], { command: 'help', topic: 'hook' }],
    ['serve with a config file', ['serve', '--config', 'edgehook.yaml'], { command: 'serve', configFile: 'edgehook.yaml', overrides: {} }],
    ['serve from flags', ['serve', '--origin', 'http://127.0.0.1:9001', '--listen', '127.0.0.1:8080'], {
      command: 'serve', configFile: null, overrides: { origin: 'http://127.0.0.1:9001', listen: '127.0.0.1:8080' },
    }],
    ['serve with every flag, inline values', ['serve', '--config=e.json', '--origin=https://o', '--listen=[::1]:0', '--admin=127.0.0.1:0', '--admin-token=t', '--log-level=debug', '--workers=auto'], {
      command: 'serve', configFile: 'e.json', overrides: { origin: 'https://o', listen: '[::1]:0', admin: '127.0.0.1:0', adminToken: 't', logLevel: 'debug', workers: 'auto' },
    }],
    ['serve on a port alone (issue 13)', ['serve', '--origin', 'http://a:1', '--listen', '8080', '--admin', ':9091'], {
      command: 'serve', configFile: null, overrides: { origin: 'http://a:1', listen: '8080', admin: ':9091' },
    }],
    ['serve with a number of workers', ['serve', '--config', 'e.json', '--workers', '4'], {
      command: 'serve', configFile: 'e.json', overrides: { workers: '4' },
    }],
    ['serve: a repeated flag keeps its last value', ['serve', '--origin', 'http://a:1', '--origin', 'http://b:1'], {
      command: 'serve', configFile: null, overrides: { origin: 'http://b:1' },
    }],
    ['demo with defaults', ['demo'], {
      command: 'demo', listen: { host: '127.0.0.1', port: 8080 }, originListen: { host: '127.0.0.1', port: 9001 },
      admin: { host: '127.0.0.1', port: 9090 }, logLevel: 'info',
    }],
    ['demo with every flag', ['demo', '--listen', '0.0.0.0:80', '--origin-listen', '127.0.0.1:0', '--admin', 'off', '--log-level', 'warn'], {
      command: 'demo', listen: { host: '0.0.0.0', port: 80 }, originListen: { host: '127.0.0.1', port: 0 }, admin: null, logLevel: 'warn',
    }],
    ['hook passes its arguments through', ['hook', 'build', '--out', 'dist', 'src/hook.ts', '--help'], {
      command: 'hook', action: 'build', args: ['--out', 'dist', 'src/hook.ts', '--help'],
    }],
    ['hook new', ['hook', 'new', 'my-hook'], { command: 'hook', action: 'new', args: ['my-hook'] }],
    ['hook run without arguments', ['hook', 'run'], { command: 'hook', action: 'run', args: [] }],
    ['fleet passes its arguments through', ['fleet', 'purge', '--config', 'e.yaml', '--tag', 't'], { command: 'fleet', action: 'purge', args: ['--config', 'e.yaml', '--tag', 't'] }],
    ['fleet alone', ['fleet'], { command: 'help', topic: 'fleet' }],
    ['help fleet', ['help', 'fleet'], { command: 'help', topic: 'fleet' }],
  ];

  it.each(ok)('%s', (_name, argv, expected) => {
    expect(parseCli(argv)).toEqual(expected);
  });

  const bad: Array<[string, string[], string]> = [
    ['an unknown command, with a suggestion', ['sevre'], 'unknown command "sevre" (did you mean "serve"?)\nRun "edgehook --help" for usage.'],
    ['an unknown command', ['frobnicate'], 'unknown command "frobnicate"\nRun "edgehook --help" for usage.'],
    ['an unknown global option', ['--verison'], 'unknown option --verison (did you mean "--version"?)\nRun "edgehook --help" for usage.'],
    ['help for an unknown command', ['help', 'nope'], 'unknown command "nope"\nRun "edgehook --help" for usage.'],
    ['an unknown serve flag, with a suggestion', ['serve', '--lisen', '1.2.3.4:80'], 'unknown option --lisen (did you mean --listen?)\nRun "edgehook serve --help" for usage.'],
    ['an unknown short flag', ['serve', '-x'], 'unknown option -x\nRun "edgehook serve --help" for usage.'],
    ['a flag from another command', ['serve', '--origin-listen', '1.2.3.4:80'], 'unknown option --origin-listen (it belongs to "edgehook demo")\nRun "edgehook serve --help" for usage.'],
    ['serve with neither config nor origin', ['serve', '--listen', '127.0.0.1:80'], 'edgehook serve needs --config FILE or --origin URL\nRun "edgehook serve --help" for usage.'],
    ['a flag without its value', ['serve', '--config'], '--config needs a value (FILE)\nRun "edgehook serve --help" for usage.'],
    ['a flag swallowing the next flag', ['serve', '--listen', '--origin', 'http://a:1'], '--listen needs a value (HOST:PORT)\nRun "edgehook serve --help" for usage.'],
    ['a value for --help', ['demo', '--help=yes'], '--help does not take a value\nRun "edgehook demo --help" for usage.'],
    ['a positional argument', ['serve', 'edgehook.yaml'], 'unexpected argument "edgehook.yaml"\nRun "edgehook serve --help" for usage.'],
    ['a bad origin URL', ['serve', '--origin', 'example.com'], '--origin: expected an http/https URL like "http://127.0.0.1:9001", got "example.com"'],
    ['a bad listen address', ['serve', '--origin', 'http://a:1', '--listen', '80800'], '--listen: expected HOST:PORT like "127.0.0.1:8080", got "80800"'],
    ['an admin token for no admin API', ['serve', '--origin', 'http://a:1', '--admin', 'off', '--admin-token', 's3cret'], '--admin-token: the admin API is off (--admin off)'],
    ['a bad admin address', ['serve', '--config', 'e.yaml', '--admin', 'false'], '--admin: expected HOST:PORT like "127.0.0.1:8080", got "false"'],
    ['a bad log level', ['serve', '--config', 'e.yaml', '--log-level', 'trace'], '--log-level: expected one of "debug", "info", "warn", "error", got "trace"'],
    ['no workers', ['serve', '--config', 'e.yaml', '--workers', '0'], '--workers: expected "auto" or an integer from 1 to 256, got "0"'],
    ['a bad demo origin address', ['demo', '--origin-listen', 'localhost'], '--origin-listen: expected HOST:PORT like "127.0.0.1:8080", got "localhost"\nRun "edgehook demo --help" for usage.'],
    ['an unknown hook action, with a suggestion', ['hook', 'biuld'], 'unknown hook action "biuld" (did you mean "build"?); expected one of new, build, run, test, dev\nRun "edgehook hook --help" for usage.'],
    ['an unknown fleet action, with a suggestion', ['fleet', 'deplyo'], 'unknown fleet action "deplyo" (did you mean "deploy"?); expected one of purge, deploy, rollback, status\nRun "edgehook fleet --help" for usage.'],
  ];

  it.each(bad)('rejects %s', (_name, argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });

  it('throws a UsageError: a ConfigError with the help topic and no stack trace', () => {
    let caught: unknown;
    try {
      parseCli(['demo', '--nope']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as UsageError).topic).toBe('demo');
    expect((caught as UsageError).code).toBe('EH_CONFIG');
    expect((caught as Error).stack).not.toMatch(/\n\s+at /);
  });
});
