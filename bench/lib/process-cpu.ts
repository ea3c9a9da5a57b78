/**
 * CPU time used by a process tree, from /proc. On a shared 2-core box req/s moves with whatever
 * else runs; CPU time per request of the server under test barely does, and a server below ~90%
 * CPU during a run says the load generator (not the server) was the limit.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream kernel config. */
const TICKS_PER_SECOND = 100;

interface ProcStat { pid: number; ppid: number; ticks: number }

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parens; fields after the last ")" are fixed.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** CPU seconds consumed so far by `root` and all its live descendants (nginx master + worker). */
export function treeCpuSeconds(root: number): number | null {
  const perProcess = treeCpuByProcess(root);
  return perProcess === null ? null : [...perProcess.values()].reduce((a, b) => a + b, 0);
}

/**
 * CPU seconds so far of `root` and of each live descendant, by pid (root first): how a node's
 * CPU splits between its primary and its workers.
 */
export function treeCpuByProcess(root: number): Map<number, number> | null {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return null;
  }
  const stats = pids.map(readStat).filter((s): s is ProcStat => s !== null);
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const rootStat = stats.find((s) => s.pid === root);
  if (rootStat === undefined) return null;
  const seconds = new Map<number, number>();
  const queue = [rootStat];
  for (let stat = queue.shift(); stat !== undefined; stat = queue.shift()) {
    seconds.set(stat.pid, stat.ticks / TICKS_PER_SECOND);
    queue.push(...(children.get(stat.pid) ?? []));
  }
  return seconds;
}
