/**
 * What travels on the fleet's Redis Stream, and the keys beside it. An entry is a flat list of
 * string fields (Redis Streams have no nesting): `op=purge kind=url|prefix|tag value=…`, or
 * `op=deploy|rollback hook=NAME record=JSON` where the record says which module (by sha256, or
 * null: the one in the node's config file) and, optionally, the hook's `config` value. Entries are
 * self-contained: a rollback names the version it returns to, so every node applies the same thing
 * whatever it applied before. Entry ids are Redis's `<ms>-<seq>`, ordered and timestamped, which
 * is what lets a node skip entries older than its cache cheaply (XREAD from an id).
 */
import type { PurgeTarget } from '../admin/admin-server.ts';

/** The module and settings a hook runs after a deploy or rollback. */
export interface DeployRecord {
  /** sha256 of the module bytes (stored at `<stream>:module:<sha256>`); null = the config file's module. */
  readonly sha256: string | null;
  /** The hook's `config` value; absent = the config file's. */
  readonly config?: unknown;
}

export type FleetEntry =
  | { readonly op: 'purge'; readonly target: PurgeTarget }
  | { readonly op: 'deploy' | 'rollback'; readonly hook: string; readonly record: DeployRecord };

/** The Redis keys of one fleet; all start with the stream's name. */
export interface FleetKeys {
  readonly stream: string;
  /** Hash: hook name → the deploy in force ({id, op, record} JSON), for nodes that start late. */
  readonly hooks: string;
  /** Hash: node id → its status ({lastApplied, at, deploys} JSON). */
  readonly nodes: string;
  module(sha256: string): string;
  /** List, newest first: the deploys of one hook (records), for rollback. */
  history(hook: string): string;
  /** Hash: node id → its report ({ok, error?} JSON) on one deploy or rollback entry. */
  report(id: string): string;
}

export function fleetKeys(stream: string): FleetKeys {
  return {
    stream,
    hooks: `${stream}:hooks`,
    nodes: `${stream}:nodes`,
    module: (sha256) => `${stream}:module:${sha256}`,
    history: (hook) => `${stream}:history:${hook}`,
    report: (id) => `${stream}:report:${id}`,
  };
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;
const PURGE_KINDS: ReadonlySet<string> = new Set(['url', 'prefix', 'tag']);

/** The fields of a purge entry, as XADD takes them. */
export function purgeFields(target: PurgeTarget): Record<string, string> {
  return { op: 'purge', kind: target.kind, value: target.value };
}

/** Reads one stream entry's fields; a string saying what is wrong when this version cannot apply it. */
export function parseFleetEntry(fields: Readonly<Record<string, string>>): FleetEntry | string {
  const op = fields['op'];
  if (op === 'purge') {
    const kind = fields['kind'];
    const value = fields['value'];
    if (kind === undefined || !PURGE_KINDS.has(kind) || value === undefined || value === '') return 'a purge without a valid kind and value';
    return { op, target: { kind: kind as PurgeTarget['kind'], value } };
  }
  if (op === 'deploy' || op === 'rollback') {
    const hook = fields['hook'];
    if (hook === undefined || hook === '') return `a ${op} without a hook`;
    const record = parseDeployRecord(fields['record']);
    return typeof record === 'string' ? `${op} of hook "${hook}": ${record}` : { op, hook, record };
  }
  return `unknown op ${JSON.stringify(op ?? null)}`;
}

export function parseDeployRecord(text: string | undefined): DeployRecord | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text ?? '');
  } catch {
    return 'its record is not JSON';
  }
  if (typeof raw !== 'object' || raw === null) return 'its record is not an object';
  const { sha256, config } = raw as { sha256?: unknown; config?: unknown };
  if (sha256 !== null && (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256))) return 'its record has no valid sha256';
  return config === undefined ? { sha256 } : { sha256, config };
}

/** Compares two `<ms>-<seq>` stream ids: negative when a is older. */
export function compareIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

/** The time an entry was added (its id's milliseconds). */
export function idTime(id: string): number {
  return Number(id.split('-')[0]);
}
