/**
 * The disk store's read of one primary key: its variants from the pending overlay (writes not
 * committed yet) and from the committed records, most recently stored first. Every committed
 * entry is verified before it is returned — header, metadata shape, body length and checksum —
 * and one that fails is handed to `dropCorrupt` instead: never served, so the next request is a
 * miss that refetches it.
 */
import { peekMetaRecord, type DiskDbs } from './disk-db.ts';
import type { PendingWrites } from './disk-pending.ts';
import { checkBody, readHeader, readMeta, type RecordFault } from './disk-record.ts';
import { variantIds } from './disk-variants.ts';
import type { CachedObject, CachedObjectMeta } from './types.ts';

export interface DiskReadDeps {
  readonly dbs: DiskDbs;
  readonly pending: PendingWrites;
  dropCorrupt(id: string, fault: RecordFault): void;
  /** An entry was read (for the approximate LRU re-stamp). */
  touched(id: string, accessSeq: number): void;
}

interface Found { readonly object: CachedObject; readonly storedSeq: number }

export function readVariants(deps: DiskReadDeps, key: string): readonly CachedObject[] | undefined {
  const { dbs, pending } = deps;
  const found: Found[] = [];
  for (const id of variantIds(dbs, key)) {
    const op = pending.get(id);
    if (op !== undefined && op.kind !== 'meta') continue;
    const record = peekMetaRecord(dbs, id);
    const entry = record === undefined ? undefined : readCommitted(deps, id, record, key, op?.meta);
    if (entry !== undefined) found.push(entry);
  }
  const fresh = pending.putsForKey(key);
  if (found.length === 0 && fresh.length === 0) return undefined;
  found.sort((a, b) => b.storedSeq - a.storedSeq);
  return Object.freeze([...fresh.map((p) => p.object), ...found.map((f) => f.object)]);
}

/**
 * Verifies and decodes one committed entry; a failure drops it instead of returning it.
 * `record` may be lmdb's shared read buffer: it is fully decoded before the body is read.
 */
function readCommitted(deps: DiskReadDeps, id: string, record: Buffer, key: string, pendingMeta: CachedObjectMeta | undefined): Found | undefined {
  const head = readHeader(record);
  const meta = head.ok ? pendingMeta ?? readMeta(record) : undefined;
  if (!head.ok || meta === undefined) {
    deps.dropCorrupt(id, head.ok ? 'metadata' : head.fault);
    return undefined;
  }
  // Same 132-bit id prefix, different key: a hash collision, not this key's object.
  if (meta.key !== key) return undefined;
  // lmdb copies the value out of the map once (bodies over 32 KiB straight into their own
  // buffer); the body is used as returned, never copied again.
  const body = deps.dbs.body.getBinary(id);
  const fault = checkBody(head.header, body);
  if (fault !== undefined || body === undefined) {
    deps.dropCorrupt(id, fault ?? 'body-missing');
    return undefined;
  }
  deps.touched(id, head.header.accessSeq);
  return { object: { meta, body }, storedSeq: head.header.storedSeq };
}
