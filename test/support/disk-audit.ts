/**
 * An audit of a disk store's files, for fault tests: recounts entries and accounted bytes from
 * the raw records (recomputing each entry's size from its metadata and body, not trusting the
 * size it carries) and checks that the databases agree with each other — every entry has its
 * body, one eviction-order key, its variants-list slot and its URL and tag index keys, and
 * nothing points at an entry that is gone. A store's running totals must equal this recount.
 */
import { DB_NAMES } from '../../src/cache/disk-db.ts';
import { idOfIndexKey, indexKey, splitEntryId, HASH_CHARS } from '../../src/cache/disk-keys.ts';
import { accountedSize, checkBody, readHeader, readMeta, RECORD_HEADER_BYTES } from '../../src/cache/disk-record.ts';
import { withRawDb } from './raw-disk.ts';

export interface DiskAudit {
  /** Entries whose record and body verify. */
  readonly entries: number;
  /** Their accounted bytes, recomputed from metadata and body. */
  readonly bytes: number;
  /** Entry ids by tag, from the verified metadata (what the tag index must hold). */
  readonly tagged: ReadonlyMap<string, readonly string[]>;
  /** Index keys whose entry is gone (left by a dropped record until a purge meets them). */
  readonly danglingIndexKeys: number;
  /** Broken invariants, one line each; empty for a sound store. */
  readonly problems: readonly string[];
}

export function auditDisk(dir: string): Promise<DiskAudit> {
  return withRawDb(dir, (root) => {
    const db = (name: string) => root.openDB<Buffer, string>(name, { encoding: 'binary' });
    const meta = db(DB_NAMES.meta);
    const body = db(DB_NAMES.body);
    const order = root.openDB<string, number>(DB_NAMES.order, { encoding: 'string' });
    const variants = root.openDB<string, string>(DB_NAMES.variants, { encoding: 'string' });
    const index = (name: string) => root.openDB<string, Buffer>(name, { encoding: 'string', keyEncoding: 'binary' });
    const problems: string[] = [];
    const tagged = new Map<string, string[]>();
    const ids = new Set<string>();
    let bytes = 0;
    for (const { key: id, value: record } of meta.getRange()) {
      ids.add(id);
      const head = readHeader(record);
      const stored = head.ok ? readMeta(record) : undefined;
      const bodyBytes = body.getBinary(id);
      if (!head.ok || stored === undefined) {
        problems.push(`${id}: record does not verify (${head.ok ? 'metadata' : head.fault})`);
        continue;
      }
      const bodyFault = checkBody(head.header, bodyBytes);
      if (bodyFault !== undefined) problems.push(`${id}: ${bodyFault}`);
      const size = accountedSize(Buffer.from(record.subarray(RECORD_HEADER_BYTES)), head.header.bodyLength, stored);
      if (size !== head.header.size) problems.push(`${id}: carries size ${head.header.size}, accounts ${size}`);
      bytes += size;
      if (order.get(head.header.accessSeq) !== id) problems.push(`${id}: no order key ${head.header.accessSeq}`);
      const { primary, variant } = splitEntryId(id);
      if (!listsVariant(variants.get(primary), variant)) problems.push(`${id}: missing from its variants list`);
      if (index(DB_NAMES.urls).get(indexKey(stored.url, id)) !== stored.url) problems.push(`${id}: URL not indexed`);
      for (const tag of stored.tags) {
        if (index(DB_NAMES.tags).get(indexKey(tag, id)) !== tag) problems.push(`${id}: tag ${tag} not indexed`);
        tagged.set(tag, [...(tagged.get(tag) ?? []), id]);
      }
    }
    for (const { key, value } of order.getRange()) if (!ids.has(value)) problems.push(`order key ${key}: entry ${value} is gone`);
    for (const { key } of body.getRange()) if (!ids.has(key)) problems.push(`body ${key}: no entry`);
    for (const { key: primary, value: list } of variants.getRange()) {
      for (let i = 0; i < list.length; i += HASH_CHARS) {
        const id = primary + list.slice(i, i + HASH_CHARS);
        if (!ids.has(id)) problems.push(`variants list ${primary}: entry ${id} is gone`);
      }
    }
    let danglingIndexKeys = 0;
    for (const name of [DB_NAMES.urls, DB_NAMES.tags]) {
      for (const { key } of index(name).getRange()) if (!ids.has(idOfIndexKey(key))) danglingIndexKeys += 1;
    }
    const entries = ids.size - problems.filter((p) => p.includes('does not verify')).length;
    return { entries, bytes, tagged, danglingIndexKeys, problems };
  });
}

function listsVariant(list: string | undefined, variant: string): boolean {
  if (list === undefined) return false;
  for (let i = 0; i + HASH_CHARS <= list.length; i += HASH_CHARS) if (list.startsWith(variant, i)) return true;
  return false;
}
