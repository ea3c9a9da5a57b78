/** Plain-text tables for bench results: one row per (scenario, target), ratio to the group baseline. */
import type { GroupResult, Measurement } from './scenario.ts';

const HEADERS = ['scenario', 'target', 'req/s', 'p50 ms', 'p99 ms', 'origin', 'errors', 'cpu', 'µs cpu/req', 'req/s vs ', 'cpu/req vs '];

export function formatGroup(result: GroupResult): string {
  const { group } = result;
  const rows: string[][] = [];
  for (const scenario of group.scenarios) {
    const baseline = find(result.measurements, scenario.id, group.baseline);
    for (const m of result.measurements.filter((x) => x.scenario === scenario.id)) {
      if (m.failure !== null) {
        rows.push([scenario.title, m.target, 'FAILED', '', '', '', '', '', '', '', '']);
        continue;
      }
      rows.push([
        scenario.title, m.target, formatInt(m.requestsPerSecond), m.p50Ms.toFixed(2), m.p99Ms.toFixed(2),
        formatOriginShare(m.originShare, scenario.expectOrigin),
        String(m.errors),
        m.cpuUtilization === null ? '-' : `${Math.round(m.cpuUtilization * 100)}%`,
        m.cpuMicrosPerRequest === null ? '-' : m.cpuMicrosPerRequest.toFixed(0),
        ratio(m, baseline, group.baseline, (x) => x.requestsPerSecond),
        ratio(m, baseline, group.baseline, (x) => x.cpuMicrosPerRequest),
      ]);
    }
  }
  const headers = HEADERS.map((h) => (h.endsWith(' vs ') ? `${h}${group.baseline}` : h));
  const lines = [`## ${group.title}`, ...alignColumns([headers, ...rows])];
  // Multi-process targets: how their CPU split (the primary should be idle, the workers even).
  for (const m of result.measurements) if (m.processSplit) lines.push(`(${m.target} ${m.scenario}: ${m.processSplit})`);
  for (const m of result.measurements) if (m.failure !== null) lines.push(`(${m.target} ${m.scenario} failed: ${m.failure})`);
  for (const [target, reason] of result.skipped) lines.push(`(${target}: ${reason})`);
  return lines.join('\n');
}

/** A "!" marks a share that contradicts the scenario (a "hit" that reached the origin, a "miss" that did not). */
function formatOriginShare(share: number | null, expected: 'none' | 'all'): string {
  if (share === null) return '-';
  const text = `${(share * 100).toFixed(share < 0.01 ? 2 : 0)}%`;
  const off = expected === 'none' ? share > 0.01 : share < 0.99;
  return off ? `${text} !` : text;
}

function ratio(
  m: Measurement, baseline: Measurement | undefined, baselineId: string, value: (x: Measurement) => number | null,
): string {
  if (baseline === undefined || baseline.failure !== null || m.target === baselineId) return '';
  const top = value(m);
  const bottom = value(baseline);
  return top === null || bottom === null || bottom === 0 ? '' : `${(top / bottom).toFixed(2)}x`;
}

function find(measurements: readonly Measurement[], scenario: string, target: string): Measurement | undefined {
  return measurements.find((m) => m.scenario === scenario && m.target === target);
}

function formatInt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Left-align text columns, right-align numeric ones. */
function alignColumns(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  const numeric = (col: number): boolean => col >= 2;
  return rows.map((row) => row
    .map((cell, col) => (numeric(col) ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!)))
    .join('  ').trimEnd());
}
