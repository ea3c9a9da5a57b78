/**
 * The on-disk metadata record of one cached object. Metadata and body live in separate LMDB
 * databases so purges, eviction and the open-time scan read only small records, never bodies.
 *
 * Layout (little-endian):
 *   0  u32  recordCrc   CRC-32 of bytes 4..end (everything below, including bodyCrc)
 *   4  u8   version
 *   8  u32  bodyCrc     CRC-32 of the body
 *  12  u32  bodyLength
 *  16  f64  storedSeq   when stored (orders variants, "most recently stored first")
 *  24  f64  accessSeq   eviction order; re-stamped lazily on reads
 *  32  f64  size        bytes this entry counts against maxBytes
 *  40  ...  metadata as UTF-8 JSON
 * Two checksums so a re-stamp rewrites only this small record and never re-reads the body.
 */
import { crc32 } from 'node:zlib';
import type { CachedObjectMeta } from './types.ts';

const VERSION = 1;
const HEADER_BYTES = 40;
/** Bodies at or above 4 GiB do not fit bodyLength; such objects are refused. */
export const MAX_BODY_BYTES = 0xffff_ffff;
/** LMDB node and key overhead of the meta, body and order entries of one object. */
const ENTRY_OVERHEAD = 256;
/** One index key (clipped text, separator, id) plus its value (the full text) and node. */
const INDEX_ENTRY_OVERHEAD = 96;

export interface RecordHeader {
  readonly bodyCrc: number;
  readonly bodyLength: number;
  readonly storedSeq: number;
  readonly accessSeq: number;
  readonly size: number;
}

export type RecordFault = 'truncated' | 'version' | 'checksum' | 'metadata' | 'body-missing' | 'body-checksum';

export type HeaderResult = { readonly ok: true; readonly header: RecordHeader } | { readonly ok: false; readonly fault: RecordFault };

/** Serialized metadata, or undefined when it holds values JSON cannot (BigInt, cycles). */
export function encodeMeta(meta: CachedObjectMeta): Buffer | undefined {
  try {
    return Buffer.from(JSON.stringify(meta), 'utf8');
  } catch {
    return undefined;
  }
}

/** Bytes the entry counts against the disk bound: both records plus the index entries. */
export function accountedSize(metaJson: Buffer, bodyLength: number, meta: CachedObjectMeta): number {
  let size = HEADER_BYTES + metaJson.byteLength + bodyLength + ENTRY_OVERHEAD;
  size += INDEX_ENTRY_OVERHEAD + 2 * meta.url.length;
  for (const tag of meta.tags) size += INDEX_ENTRY_OVERHEAD + 2 * tag.length;
  return size;
}

export function buildRecord(metaJson: Buffer, header: RecordHeader): Buffer {
  const record = Buffer.allocUnsafe(HEADER_BYTES + metaJson.byteLength);
  record.fill(0, 4, 8);
  record.writeUInt8(VERSION, 4);
  record.writeUInt32LE(header.bodyCrc, 8);
  record.writeUInt32LE(header.bodyLength, 12);
  record.writeDoubleLE(header.storedSeq, 16);
  record.writeDoubleLE(header.accessSeq, 24);
  record.writeDoubleLE(header.size, 32);
  metaJson.copy(record, HEADER_BYTES);
  return seal(record);
}

/** A copy of a verified record with a new accessSeq (the lazy LRU re-stamp). */
export function restampRecord(record: Uint8Array, accessSeq: number): Buffer {
  const copy = Buffer.from(record);
  copy.writeDoubleLE(accessSeq, 24);
  return seal(copy);
}

/** Checks length, version and the record checksum; the metadata JSON is not parsed. */
export function readHeader(record: Uint8Array): HeaderResult {
  if (record.byteLength < HEADER_BYTES) return { ok: false, fault: 'truncated' };
  const view = Buffer.from(record.buffer, record.byteOffset, record.byteLength);
  if (view.readUInt32LE(0) !== crc32(view.subarray(4))) return { ok: false, fault: 'checksum' };
  if (view.readUInt8(4) !== VERSION) return { ok: false, fault: 'version' };
  const header: RecordHeader = {
    bodyCrc: view.readUInt32LE(8),
    bodyLength: view.readUInt32LE(12),
    storedSeq: view.readDoubleLE(16),
    accessSeq: view.readDoubleLE(24),
    size: view.readDoubleLE(32),
  };
  return { ok: true, header };
}

/** Parses the metadata of a record whose header already verified; undefined if unreadable. */
export function readMeta(record: Uint8Array): CachedObjectMeta | undefined {
  try {
    const text = Buffer.from(record.buffer, record.byteOffset + HEADER_BYTES, record.byteLength - HEADER_BYTES).toString('utf8');
    const meta = JSON.parse(text) as CachedObjectMeta;
    return typeof meta === 'object' && meta !== null && typeof meta.key === 'string' ? meta : undefined;
  } catch {
    return undefined;
  }
}

export function checkBody(header: RecordHeader, body: Uint8Array | undefined): RecordFault | undefined {
  if (body === undefined) return 'body-missing';
  if (body.byteLength !== header.bodyLength || crc32(body) !== header.bodyCrc) return 'body-checksum';
  return undefined;
}

export function bodyChecksum(body: Uint8Array): number {
  return crc32(body);
}

function seal(record: Buffer): Buffer {
  record.writeUInt32LE(crc32(record.subarray(4)), 0);
  return record;
}
