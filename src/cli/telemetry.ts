/**
 * The CLI's telemetry step, before the node starts: resolve the setup (config + OTEL_* vars), say
 * what it is in one log line, and load the OpenTelemetry SDK only when something is exported —
 * with everything off, the SDK is never imported and the node gets the free, no-op Telemetry.
 */
import type { TelemetryConfig } from '../config/types.ts';
import { StartupError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { createTelemetry, type Telemetry } from '../telemetry/telemetry.ts';
import { describeExport, isTelemetryOn, resolveTelemetrySetup, type Env } from './telemetry-settings.ts';

export interface StartedTelemetry {
  readonly telemetry: Telemetry;
  /** Flushes buffered spans and metrics; call after the node has closed. */
  shutdown(): Promise<void>;
}

export async function startTelemetry(config: TelemetryConfig, env: Env, logger: Logger): Promise<StartedTelemetry> {
  const setup = resolveTelemetrySetup(config, env);
  if (setup.problems.length > 0) {
    const [first, ...more] = setup.problems;
    throw new StartupError(more.length === 0 ? `telemetry: ${first}` : `telemetry (${setup.problems.length} problems):\n  ${setup.problems.join('\n  ')}`);
  }
  for (const note of setup.notes) logger.warn('telemetry setting ignored', { reason: note });
  if (!isTelemetryOn(setup)) return { telemetry: createTelemetry(), shutdown: async () => {} };
  logger.info('telemetry', {
    traces: describeExport(setup.traces),
    sample_ratio: setup.sampleRatio ?? 'OTEL_TRACES_SAMPLER',
    metrics: describeExport(setup.metrics),
    ...(setup.metrics.kind === 'none' ? {} : { metrics_interval_ms: setup.metricsIntervalMs }),
  });
  const { startTelemetrySdk } = await import('./telemetry-sdk.ts');
  const sdk = startTelemetrySdk(setup, logger, env);
  return {
    telemetry: sdk.telemetry,
    shutdown: () => sdk.shutdown().catch((error: unknown) => {
      // Telemetry must never turn a clean shutdown into a failed one.
      logger.warn('telemetry flush failed', { error });
    }),
  };
}
