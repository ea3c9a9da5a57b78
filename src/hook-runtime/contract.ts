/**
 * Names fixed by the WIT contract (wit/edgehook-hooks.wit, edgehook:hooks@0.1.0): the phase
 * export interfaces, the core export names the canonical ABI gives them, and the world a build
 * picks for a set of exported phases. One place, so the runtime and the build tool agree.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PhaseName } from '../pipeline/hook-seam.ts';

export const CONTRACT_PACKAGE = 'edgehook:hooks';
export const CONTRACT_VERSION = '0.1.0';
export const PHASES: readonly PhaseName[] = ['on-request', 'on-origin-response', 'on-response'];

/** `edgehook:hooks/<name>@0.1.0`, the instance name of a contract interface. */
export function interfaceName(name: string): string {
  return `${CONTRACT_PACKAGE}/${name}@${CONTRACT_VERSION}`;
}

/** The core export a phase's `handle` lifts from (wit-component's standard name mangling). */
export function phaseCoreExport(phase: PhaseName): string {
  return `${interfaceName(phase)}#handle`;
}

export function isPhaseName(value: unknown): value is PhaseName {
  return typeof value === 'string' && (PHASES as readonly string[]).includes(value);
}

const WORLD_SUFFIX: Record<PhaseName, string> = {
  'on-request': 'req', 'on-origin-response': 'origin', 'on-response': 'resp',
};

/** The world that exports exactly these phases (so a one-phase hook stubs nothing). */
export function worldForPhases(phases: readonly PhaseName[]): string {
  const set = new Set(phases);
  if (set.size === 0) throw new Error('a hook must export at least one phase');
  if (set.size === 3) return 'hook-all';
  return 'hook-' + PHASES.filter((p) => set.has(p)).map((p) => WORLD_SUFFIX[p]).join('-');
}

export const WIT_PATH = fileURLToPath(new URL('../../wit/edgehook-hooks.wit', import.meta.url));
export const WIT_DIR = fileURLToPath(new URL('../../wit/', import.meta.url));

let witText: string | undefined;
/** The contract's WIT text (passed as `witSource` to jco: file paths break with some shims). */
export function contractWit(): string {
  witText ??= readFileSync(WIT_PATH, 'utf8');
  return witText;
}
