/**
 * How a multi-process target's CPU split during a run: the root's own CPU per request (a node's
 * primary, which should be idle) and each child's share of the children's CPU (its workers, which
 * should be even). Processes that started or ended during the run are left out.
 */
export function describeSplit(root: number, before: ReadonlyMap<number, number> | null, after: ReadonlyMap<number, number> | null, requests: number): string | null {
  if (before === null || after === null || after.size <= 1 || requests === 0) return null;
  const delta = (pid: number): number => (after.get(pid) ?? 0) - (before.get(pid) ?? 0);
  const rootMicros = (delta(root) * 1e6) / requests;
  const children = [...after.keys()].filter((pid) => pid !== root && before.has(pid)).map(delta);
  const total = children.reduce((a, b) => a + b, 0);
  const shares = total === 0 ? '-' : children.map((seconds) => `${Math.round((seconds / total) * 100)}`).join('/');
  return `primary ${rootMicros.toFixed(1)} µs/req, workers ${shares} %`;
}
