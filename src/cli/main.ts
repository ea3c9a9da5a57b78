/**
 * The edgehook command: parse the command line, load and validate config (errors name the file,
 * line and key, without a stack trace), start the node, and shut it down gracefully on
 * SIGTERM/SIGINT. The only place that touches process.argv, process.env and signals.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';
import { configFromFlags, loadConfigFile, resolveConfig } from '../config/load.ts';
import type { EdgehookConfig } from '../config/types.ts';
import { formatHostPort } from '../config/parse-host-port.ts';
import { createLogger } from '../log.ts';
import { startNode, type EdgehookNode } from '../node.ts';
import { demoEndpoints, startDemoOrigin } from '../demo/demo-origin.ts';
import { parseCli, type CliCommand } from './args.ts';
import { helpText } from './help.ts';

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCli(argv);
  switch (command.command) {
    case 'help':
      process.stdout.write(helpText(command.topic));
      return 0;
    case 'version':
      process.stdout.write(`edgehook ${packageVersion()}\n`);
      return 0;
    case 'serve':
      return serve(await serveConfig(command));
    case 'demo':
      return demo(command);
    case 'hook': {
      const { runHookCommand } = await import('./hook-command.ts');
      return runHookCommand([command.action, ...command.args]);
    }
  }
}

async function serveConfig(command: Extract<CliCommand, { command: 'serve' }>): Promise<EdgehookConfig> {
  if (command.configFile === null) return configFromFlags(command.overrides);
  return loadConfigFile(command.configFile, { overrides: command.overrides });
}

async function serve(config: EdgehookConfig, beforeStop?: () => Promise<void>): Promise<number> {
  const logger = createLogger({ level: config.log.level });
  const node = await startNode({ config, logger });
  return waitForSignal(node, async () => {
    await beforeStop?.();
  });
}

async function demo(command: Extract<CliCommand, { command: 'demo' }>): Promise<number> {
  const origin = await startDemoOrigin(command.originListen);
  const config = resolveConfig({
    origin: { url: origin.url },
    listen: formatHostPort(command.listen),
    admin: command.admin === null ? false : formatHostPort(command.admin),
    log: { level: command.logLevel },
  });
  const logger = createLogger({ level: config.log.level });
  const node = await startNode({ config, logger });
  printDemoGuide(node, origin.url);
  return waitForSignal(node, () => origin.close());
}

function printDemoGuide(node: EdgehookNode, originUrl: string): void {
  const lines = [
    '',
    `edgehook demo: edgehook ${node.url} in front of the demo origin ${originUrl}`,
    '',
    'Try (watch the Cache-Status and Age headers):',
    ...demoEndpoints().map(([path, doc]) => `  curl -si ${node.url}${path}\n      ${doc}`),
    '',
    ...(node.adminUrl === null ? [] : [
      'Admin API:',
      `  curl -s ${node.adminUrl}/metrics`,
      `  curl -s -X POST ${node.adminUrl}/purge -d '{"tag":"static"}'`,
      '',
    ]),
    'Ctrl-C stops it (in-flight requests finish first).',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

/** Resolves with the exit code once SIGTERM/SIGINT has drained the node; a second signal forces exit. */
function waitForSignal(node: EdgehookNode, afterClose: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`second ${signal}: exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      void node.close().then(afterClose).then(() => resolve(0), (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        resolve(1);
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      // Config and usage errors are the operator's to fix: the message is the whole story.
      process.stderr.write(`edgehook: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`edgehook: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
