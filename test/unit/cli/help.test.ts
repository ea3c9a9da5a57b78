import { describe, expect, it } from 'vitest';
import { COMMAND_FLAGS, DEMO_DEFAULTS, FLEET_ACTIONS, HOOK_ACTIONS } from '../../../src/cli/args.ts';
import { helpText } from '../../../src/cli/help.ts';
import { resolveConfig } from '../../../src/config/load.ts';
import { formatHostPort } from '../../../src/config/parse-host-port.ts';

describe('helpText', () => {
  it.each(Object.entries(COMMAND_FLAGS))('documents every %s flag', (command, flags) => {
    const text = helpText(command as keyof typeof COMMAND_FLAGS);
    for (const [name, spec] of Object.entries(flags)) {
      expect(text).toContain(`--${name}`);
      if ('value' in spec) expect(text).toContain(`--${name} ${spec.value}`);
      if ('short' in spec) expect(text).toContain(`-${spec.short}, --${name}`);
    }
  });

  it('lists every command and the global flags', () => {
    const text = helpText(null);
    for (const word of ['edgehook serve', 'edgehook demo', 'edgehook hook', 'edgehook help', '--version', '-h, --help']) expect(text).toContain(word);
  });

  it('shows the documented serve example', () => {
    expect(helpText(null)).toContain('edgehook serve --origin http://127.0.0.1:9001 --listen 127.0.0.1:8080');
    expect(helpText('serve')).toContain('edgehook serve --origin http://127.0.0.1:9001 --listen 127.0.0.1:8080');
  });

  it('documents every hook action', () => {
    for (const action of HOOK_ACTIONS) expect(helpText('hook')).toMatch(new RegExp(`^ {2}${action} `, 'm'));
  });

  it('documents every fleet action', () => {
    for (const action of FLEET_ACTIONS) expect(helpText('fleet')).toMatch(new RegExp(`^ {2}${action} `, 'm'));
  });

  it('shows the config defaults, read from the schema', () => {
    const defaults = resolveConfig({ origin: { url: 'http://127.0.0.1:9001' } }, { env: {} });
    expect(helpText('serve')).toContain(`default ${formatHostPort(defaults.listen)}`);
    expect(helpText('serve')).toContain(formatHostPort(defaults.admin ?? { host: 'none', port: 0 }));
    expect(helpText('serve')).toContain(`default ${defaults.log.level}`);
    expect(DEMO_DEFAULTS.listen).toBe(formatHostPort(defaults.listen));
  });

  it('ends every page with a newline and keeps lines within 100 columns', () => {
    for (const topic of [null, 'serve', 'demo', 'hook', 'fleet'] as const) {
      const text = helpText(topic);
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
    }
  });
});
