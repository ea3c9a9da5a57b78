/**
 * edgehook for benchmarks: `startNode` in its own process (so it can be pinned to a core), built
 * from the same flag path the CLI uses. Prints the CLI's `"msg":"listening"` line on stdout.
 * Overhead groups (hooks, tracing, transforms) pass `--config FILE` to start a variant.
 *
 * Run: node bench/lib/edgehook-server.ts --origin http://127.0.0.1:PORT [--config edgehook.yaml]
 *
 * With EDGEHOOK_PROFILE_TO=FILE, SIGUSR2 starts V8's CPU profiler and the next SIGUSR2 writes
 * the profile to FILE (bench/profile.ts): only the measured window is profiled, not start-up.
 */
import { profileOnSignal } from './profile-on-signal.ts';
import { parseArgs } from 'node:util';
import { startTelemetry } from '../../src/cli/telemetry.ts';
import { configFromFlags, loadConfigFile } from '../../src/config/load.ts';
import { createLogger } from '../../src/log.ts';
import { startNode } from '../../src/node.ts';

const { values } = parseArgs({ options: { origin: { type: 'string' }, config: { type: 'string' } } });
if (values.origin === undefined) throw new Error('--origin URL is required');
const overrides = { origin: values.origin, listen: '127.0.0.1:0', admin: 'off', logLevel: 'warn' };
const config = values.config === undefined
  ? configFromFlags(overrides, { env: {} })
  : await loadConfigFile(values.config, { overrides, env: {} });
// Warnings go to stderr (the harness keeps a tail for errors); stdout carries only the listening line.
const logger = createLogger({ level: 'warn' });
// As the CLI does: the OpenTelemetry SDK only when the config (or OTEL_* variables) export something.
const telemetry = await startTelemetry(config.telemetry, process.env, logger);
const node = await startNode({ config, logger, telemetry: telemetry.telemetry });
process.stdout.write(JSON.stringify({ msg: 'listening', url: node.url }) + '\n');

profileOnSignal();

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void node.close(1_000).then(() => telemetry.shutdown()).then(() => process.exit(0)));
}
