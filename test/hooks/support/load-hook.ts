/** Loads one fixture as a LoadedHook with a given config, capturing its log lines. */
import { expect } from 'vitest';
import { systemClock, type Clock } from '../../../src/clock.ts';
import { createLogger } from '../../../src/log.ts';
import { loadGuest } from '../../../src/hook-runtime/guest-loader.ts';
import { createLoadedHook, type LoadedHook } from '../../../src/hook-runtime/loaded-hook.ts';
import { validateHookConfig } from '../../../src/hook-runtime/hook-config.ts';
import { createTelemetry, type Telemetry } from '../../../src/telemetry/telemetry.ts';
import { buildFixture, CACHE_DIR, type Fixture } from './fixtures.ts';

export interface LoadedFixture {
  readonly hook: LoadedHook;
  readonly logs: Record<string, unknown>[];
  /** What the hook records its call metrics into (telemetry.hooks.snapshot() reads them). */
  readonly telemetry: Telemetry;
}

export async function loadFixtureHook(
  name: string, extra: Record<string, unknown> = {}, clock: Clock = systemClock, fixture?: Fixture,
): Promise<LoadedFixture> {
  const assemblyScript = fixture === undefined;
  fixture ??= await buildFixture(name);
  const { value, errors } = validateHookConfig({ name, module: fixture.path, phases: ['on-request'], ...extra }, 'hooks[0]');
  expect(errors).toEqual([]);
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  const guest = await loadGuest(fixture.bytes, value!.memory_mb, { cacheDir: CACHE_DIR, clock });
  // AssemblyScript fixtures (built here) must take the direct canonical-ABI path, never jco's glue.
  if (assemblyScript) expect(guest.kind).toBe('direct');
  const telemetry = createTelemetry();
  return { hook: await createLoadedHook(value!, guest, { logger, clock, telemetry }), logs, telemetry };
}
