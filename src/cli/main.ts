/**
 * The edgehook command: parse the command line, load and validate config (errors name the file,
 * line and key, without a stack trace), start the node — one process, or a primary and its
 * workers (src/cluster) — and shut it down gracefully on SIGTERM/SIGINT. The only place that
 * touches process.argv, process.env and signals (a worker's own are in cluster/worker-main.ts).
 *
 * The node and the telemetry SDK are imported only when they run, so a primary never loads the
 * pipeline, the hook runtime or the caches: it only forks, watches and answers the admin API.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';
import { configFromFlags, loadConfigFile, resolveConfig } from '../config/load.ts';
import type { EdgehookConfig } from '../config/types.ts';
import { formatHostPort } from '../config/parse-host-port.ts';
import { resolveWorkerCount } from '../cluster/worker-count.ts';
import { createLogger, type Logger } from '../log.ts';
import type { EdgehookNode } from '../node.ts';
import { join } from 'node:path';
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
    case 'serve': {
      const config = await serveConfig(command);
      const reread = (): Promise<EdgehookConfig> => serveConfig(command);
      return resolveWorkerCount(config.workers) > 1 ? servePrimary(config, reread) : serve(config, reread);
    }
    case 'demo':
      return demo(command);
    case 'hook': {
      const { runHookCommand } = await import('./hook-command.ts');
      return runHookCommand([command.action, ...command.args]);
    }
    case 'fleet': {
      const { runFleetCommand } = await import('./fleet-command.ts');
      return runFleetCommand(command.action, command.args);
    }
  }
}

async function serveConfig(command: Extract<CliCommand, { command: 'serve' }>): Promise<EdgehookConfig> {
  if (command.configFile === null) return configFromFlags(command.overrides);
  return loadConfigFile(command.configFile, { overrides: command.overrides });
}

async function serve(config: EdgehookConfig, rereadConfig: () => Promise<EdgehookConfig>): Promise<number> {
  const logger = createLogger({ level: config.log.level });
  const { startTelemetry } = await import('./telemetry.ts');
  const { startNode } = await import('../node.ts');
  const telemetry = await startTelemetry(config.telemetry, process.env, logger);
  const node = await startNode({ config, logger, telemetry: telemetry.telemetry });
  reloadHooksOnSighup(node, rereadConfig, logger);
  // logrotate's postrotate: `kill -USR1 <pid>` (nginx's signal for the same). A listener also
  // keeps Node from opening its inspector on SIGUSR1.
  process.on('SIGUSR1', () => node.reopenLogs());
  return waitForSignal(node, () => telemetry.shutdown());
}

/**
 * SIGHUP re-reads the config file and reloads the hooks (new modules, new hooks list) with the
 * same atomic swap as POST /hooks/reload. A config that no longer validates, or a module that
 * fails to load, leaves the running hooks serving; the reason is logged.
 */
function reloadHooksOnSighup(node: EdgehookNode, rereadConfig: () => Promise<EdgehookConfig>, logger: Logger): void {
  process.on('SIGHUP', () => {
    void (async () => {
      const config = await rereadConfig();
      const result = await node.reloadHooks(config.hooks);
      logger.info('hooks reloaded (SIGHUP)', { result });
    })().catch((error: unknown) => {
      logger.error('hook reload failed (SIGHUP): the running hooks keep serving', { code: 'EH_HOOK_LOAD', error });
    });
  });
}

/**
 * A primary and its workers. SIGHUP re-reads the config file and, if it validates, replaces the
 * workers one by one (the same as POST /reload); an invalid file changes nothing and is logged.
 */
async function servePrimary(config: EdgehookConfig, rereadConfig: () => Promise<EdgehookConfig>): Promise<number> {
  const logger = createLogger({ level: config.log.level, base: { role: 'primary' } });
  const { startPrimary } = await import('../cluster/primary.ts');
  const primary = await startPrimary({ config, logger, rereadConfig });
  process.on('SIGUSR1', () => primary.reopenLogs());
  process.on('SIGHUP', () => {
    primary.reload().then((answer) => logger.info('config reload (SIGHUP)', { status: answer.status, answer: answer.body }), (error: unknown) => {
      logger.error('config reload failed (SIGHUP): the running workers keep serving', { code: 'EH_CONFIG', error });
    });
  });
  return waitForSignal(primary, async () => {});
}

async function demo(command: Extract<CliCommand, { command: 'demo' }>): Promise<number> {
  // The hook build toolchain (asc, binaryen, jco) is loaded only by the demo, never by `serve`.
  const { buildDemoHooks, demoHookGuide, DEMO_NODE_SETTINGS } = await import('../demo/demo-hooks.ts');
  const hooks = await buildDemoHooks(join(process.cwd(), '.cache'));
  const origin = await startDemoOrigin(command.originListen);
  const config = resolveConfig({
    origin: { url: origin.url },
    listen: formatHostPort(command.listen),
    admin: command.admin === null ? false : formatHostPort(command.admin),
    log: { level: command.logLevel },
    ...DEMO_NODE_SETTINGS,
    hooks,
  });
  const logger = createLogger({ level: config.log.level });
  const { startTelemetry } = await import('./telemetry.ts');
  const { startNode } = await import('../node.ts');
  const telemetry = await startTelemetry(config.telemetry, process.env, logger);
  const node = await startNode({ config, logger, telemetry: telemetry.telemetry });
  printDemoGuide(node, origin.url, demoHookGuide(node.url, Date.now()));
  return waitForSignal(node, async () => {
    await origin.close();
    await telemetry.shutdown();
  });
}

function printDemoGuide(node: EdgehookNode, originUrl: string, hookGuide: readonly string[]): void {
  const lines = [
    '',
    `edgehook demo: edgehook ${node.url} in front of the demo origin ${originUrl}`,
    '',
    'Try (watch the Cache-Status and Age headers):',
    ...demoEndpoints().map(([path, doc]) => `  curl -si ${node.url}${path}\n      ${doc}`),
    '',
    ...hookGuide,
    '',
    ...(node.adminUrl === null ? [] : [
      'Admin API:',
      `  curl -s ${node.adminUrl}/metrics`,
      `  curl -s ${node.adminUrl}/hooks`,
      `  curl -s -X POST ${node.adminUrl}/purge -d '{"tag":"static"}'`,
      '',
    ]),
    'Ctrl-C stops it (in-flight requests finish first).',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

/** Resolves with the exit code once SIGTERM/SIGINT has drained the node; a second signal forces exit. */
function waitForSignal(node: { close(): Promise<void> }, afterClose: () => Promise<void>): Promise<number> {
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
