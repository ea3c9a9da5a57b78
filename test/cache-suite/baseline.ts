/**
 * The regression gate: a run fails when edgehook passes fewer tests than the recorded baseline,
 * fails more required tests than allowed, or has more superseded tests than recorded (so a test
 * cannot be hidden by listing it in superseded.ts). `--record` rewrites the file from a run's numbers.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { gatedPassCount, supersededCount, type Summary } from './classify.ts';

export interface Baseline {
  /** Required + optional tests passing (✅); informational checks are not counted. */
  readonly passed: number;
  /** Required tests not passing (⛔️, ⚪️, 🔹, ⁉️, ↻), at most. */
  readonly required_failed_max: number;
  /** Tests not counted because the suite version's expectation was later reversed (superseded.ts), at most. */
  readonly superseded_max: number;
  readonly recorded: string | null;
  readonly edgehook_commit: string | null;
}

export interface GateVerdict {
  readonly ok: boolean;
  readonly passedChecks: number;
  readonly failedChecks: number;
  readonly lines: readonly string[];
}

export async function readBaseline(path: string): Promise<Baseline> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<Baseline>;
  if (typeof parsed.passed !== 'number' || typeof parsed.required_failed_max !== 'number') {
    throw new Error(`${path}: needs numeric "passed" and "required_failed_max"`);
  }
  return {
    passed: parsed.passed, required_failed_max: parsed.required_failed_max,
    superseded_max: parsed.superseded_max ?? 0,
    recorded: parsed.recorded ?? null, edgehook_commit: parsed.edgehook_commit ?? null,
  };
}

export function baselineFrom(summary: Summary, commit: string | null, now: Date): Baseline {
  return {
    passed: gatedPassCount(summary), required_failed_max: summary.required.failed,
    superseded_max: supersededCount(summary),
    recorded: now.toISOString().slice(0, 10), edgehook_commit: commit,
  };
}

export async function writeBaseline(path: string, baseline: Baseline): Promise<void> {
  await writeFile(path, JSON.stringify(baseline, null, 2) + '\n');
}

export function checkBaseline(baseline: Baseline, summary: Summary): GateVerdict {
  const passed = gatedPassCount(summary);
  const requiredFailed = summary.required.failed;
  const passOk = passed >= baseline.passed;
  const requiredOk = requiredFailed <= baseline.required_failed_max;
  const superseded = supersededCount(summary);
  const supersededOk = superseded <= baseline.superseded_max;
  const lines = [
    `${passOk ? 'ok  ' : 'FAIL'} passing (required+optional): ${passed}, baseline ${baseline.passed}`,
    `${requiredOk ? 'ok  ' : 'FAIL'} required not passing: ${requiredFailed}, allowed ${baseline.required_failed_max}`,
    `${supersededOk ? 'ok  ' : 'FAIL'} superseded (not counted): ${superseded}, allowed ${baseline.superseded_max}`,
  ];
  if (passOk && passed > baseline.passed) lines.push(`note: ${passed - baseline.passed} more than the baseline — run with --record to raise it`);
  const checks = [passOk, requiredOk, supersededOk];
  const failedChecks = checks.filter((ok) => !ok).length;
  return { ok: failedChecks === 0, passedChecks: checks.length - failedChecks, failedChecks, lines };
}
