/**
 * Help text for every command and flag. Config defaults shown here are read from the schema, so
 * help, docs/configuration.md and the validator cannot disagree.
 */
import type { AnyField } from '../config/dsl/field.ts';
import { edgehookSchema } from '../config/schema.ts';
import { DEMO_DEFAULTS, type HelpTopic } from './args.ts';
import { hookOverviewHelp } from './hook-help.ts';

export function helpText(topic: HelpTopic | null): string {
  switch (topic) {
    case null: return globalHelp();
    case 'serve': return serveHelp();
    case 'demo': return demoHelp();
    case 'hook': return hookHelp();
    case 'fleet': return fleetHelp();
  }
}

/** The default of a config key as a user would write it, e.g. defaultOf('listen', 'port') → "8080". */
function defaultOf(...path: string[]): string {
  let field: AnyField | undefined = edgehookSchema;
  for (const key of path) field = field?.shape?.[key];
  return field?.defaultLabel ?? 'none';
}

const address = (section: string): string => `${defaultOf(section, 'host')}:${defaultOf(section, 'port')}`;

function globalHelp(): string {
  return `edgehook: a caching reverse proxy (one CDN node) whose request lifecycle is programmable
with sandboxed WebAssembly hooks.

Usage:
  edgehook serve (--config FILE | --origin URL) [--listen HOST:PORT] [--admin HOST:PORT|off]
                 [--admin-token TOKEN] [--log-level LEVEL] [--workers N|auto]
  edgehook demo [--listen HOST:PORT] [--origin-listen HOST:PORT] [--admin HOST:PORT|off]
                [--log-level LEVEL]
  edgehook hook <new|build|run|test|dev> [ARGS...]
  edgehook fleet <purge|deploy|rollback|status> --config FILE [ARGS...]
  edgehook help [COMMAND]
  edgehook --version

Commands:
  serve   Run the caching proxy in front of an origin server.
  demo    Run the proxy and a small built-in origin together, to try edgehook with one command.
  hook    Create, build and try out hooks (edgehook hook --help).
  fleet   Publish purges and hook deploys to every node of a fleet (edgehook fleet --help).
  help    Show help for a command.

Options:
  -h, --help   Show help. After a command, show that command's help (edgehook serve --help).
  --version    Print the edgehook version.

Examples:
  edgehook serve --origin http://127.0.0.1:9001 --listen 127.0.0.1:8080
  edgehook serve --config edgehook.yaml
  edgehook demo
`;
}

function serveHelp(): string {
  return `Usage: edgehook serve (--config FILE | --origin URL) [options]

Run the caching proxy in front of an origin server. Settings come from the config file (see
docs/configuration.md); the flags below override the keys they name. Without --config, every key
except origin.url takes its default.

Options:
  --config FILE              YAML (.yaml, .yml) or JSON (.json) config file. Relative paths in it
                             are resolved against the file's directory.
  --origin URL               Origin base URL, http:// or https:// (overrides origin.url).
  --listen HOST:PORT         Where clients connect (overrides listen; default ${address('listen')}).
                             Port 0 picks a free port; IPv6 hosts go in brackets: [::1]:8080.
                             A port alone (8080 or :8080) listens on ${defaultOf('listen', 'host')}.
  --admin HOST:PORT|off      Where the admin API listens, or off (overrides admin; default
                             ${address('admin')}). The admin token from the file is kept.
  --admin-token TOKEN        Bearer token the admin API requires (overrides admin.token and
                             admin.token_env). Visible to other users in ps: on a shared host
                             prefer admin.token_env.
  --log-level LEVEL          debug, info, warn or error (overrides log.level; default ${defaultOf('log', 'level')}).
  --workers N|auto           Worker processes serving the listen address, or auto for one per CPU
                             (overrides workers; default ${defaultOf('workers')}). See README, "Running on every core".
  -h, --help                 Show this help.

A bad config is reported all at once, one problem per line:
  edgehook.yaml:12: cache.memory.max_bytes: expected a size like "64MiB", got "lots"

Examples:
  edgehook serve --origin http://127.0.0.1:9001 --listen 127.0.0.1:8080
  edgehook serve --config edgehook.yaml
  edgehook serve --config edgehook.yaml --listen 0.0.0.0:80 --admin off
  edgehook serve --origin https://example.com --log-level debug
`;
}

function demoHelp(): string {
  return `Usage: edgehook demo [options]

Run edgehook and a small built-in origin together, so caching can be tried with curl and no
other setup. The proxy uses the config defaults, with the demo origin as origin.url.

Options:
  --listen HOST:PORT         Where clients connect (default ${DEMO_DEFAULTS.listen}).
  --origin-listen HOST:PORT  Where the demo origin listens (default ${DEMO_DEFAULTS.originListen}).
  --admin HOST:PORT|off      Where the admin API listens, or off (default ${DEMO_DEFAULTS.admin}).
  --log-level LEVEL          debug, info, warn or error (default ${DEMO_DEFAULTS.logLevel}).
  -h, --help                 Show this help.

Examples:
  edgehook demo
  edgehook demo --listen 127.0.0.1:8000 --origin-listen 127.0.0.1:8001 --admin off
  curl -i http://${DEMO_DEFAULTS.listen}/
`;
}

function hookHelp(): string {
  return hookOverviewHelp();
}

function fleetHelp(): string {
  return `Usage: edgehook fleet <purge|deploy|rollback|status> --config FILE [ARGS...]

Publish on the fleet's Redis Stream (the fleet: section of FILE names the Redis and the stream);
every node applies each entry in order. deploy and rollback wait for every node seen in the last
10 minutes to report (--wait, default 30s) and exit 1 if one refused it or did not answer; a
deploy any node refused is rolled back at once, so the whole fleet stays on the previous version.

Actions:
  purge     --url URL | --prefix URL | --tag TAG
  deploy    --hook NAME --module FILE.wasm [--hook-config JSON] [--wait DURATION]
  rollback  --hook NAME [--wait DURATION]
  status    Each node's last applied entry and the deploys it runs.

A deploy names a hook of the nodes' config files: its module (stored in Redis by sha256) and,
with --hook-config, its config value replace the file's. A rollback returns to the hook's
previous fleet deploy, or to the config file's module when there is none.

Examples:
  edgehook fleet purge --config edgehook.yaml --tag products
  edgehook fleet deploy --config edgehook.yaml --hook auth --module auth-v2.wasm
  edgehook fleet rollback --config edgehook.yaml --hook auth
  edgehook fleet status --config edgehook.yaml
`;
}
