/**
 * Turns component bytes into a PreparedGuest: single-core-module components through the direct
 * canonical-ABI binding, everything else through jco transpile. Also checks that the component
 * exports every phase the config binds it to (the error names the hook and the export).
 */
import type { Clock } from '../clock.ts';
import { phaseCoreExport } from './contract.ts';
import { inspectComponent } from './component-inspect.ts';
import { DirectInstance } from './direct-instance.ts';
import type { HookConfig } from './hook-config.ts';
import type { PreparedGuest } from './loaded-hook.ts';
import { prepareDirect } from './prepare-module.ts';
import { prepareTranspiled } from './transpiled-guest.ts';

export interface GuestLoadOptions {
  readonly cacheDir?: string;
  readonly clock: Clock;
  /** Fuel metering; false only to measure its cost (bench). */
  readonly meter?: boolean;
}

export async function loadGuest(bytes: Uint8Array, memoryMb: number, options: GuestLoadOptions): Promise<PreparedGuest> {
  const { directIndex } = inspectComponent(bytes);
  const prepareOptions = {
    memoryMb, meter: options.meter ?? true, ...(options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir }),
  };
  if (directIndex === -1) return prepareTranspiled(bytes, prepareOptions, options.clock);
  const prepared = await prepareDirect(bytes, prepareOptions);
  return {
    kind: 'direct', sha256: prepared.sha256, phases: prepared.phases, imports: prepared.imports,
    createInstance: (settings) => new DirectInstance(prepared.module, prepared.utf16, settings, options.clock),
  };
}

/** Throws when a bound phase is not exported, naming the hook and the missing export. */
export function checkExports(config: HookConfig, guest: PreparedGuest): void {
  for (const phase of config.phases) {
    if (!guest.phases.includes(phase)) {
      throw new Error(`hook "${config.name}" is bound to ${phase} but its module does not export ${phaseCoreExport(phase)} `
        + `(exports: ${guest.phases.join(', ') || 'no phase'})`);
    }
  }
}
