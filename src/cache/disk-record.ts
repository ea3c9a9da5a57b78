/**
 * The on-disk metadata record of one cached object. Metadata and body live in separate LMDB
 * databases so purges, eviction and the open-time scan read only small records, never bodies.
 *
 * Layout (little-endian):
 *   0  u32  recordCrc   CRC-32 of bytes 4..end (everything below, including bodyCrc)
 *   4  u8   version     2 (version 1 records, without headerCheck, are still read)
 *   5  u24  headerCheck low 24 bits of the CRC-32 of byte 4 and bytes 8..39
 *   8  u32  bodyCrc     CRC-32 of the body
 *  12  u32  bodyLength
 *  16  f64  storedSeq   when stored (orders variants, "most recently stored first")
 *  24  f64  accessSeq   eviction order; re-stamped lazily on reads
 *  32  f64  size        bytes this entry counts against maxBytes
 *  40  ...  metadata as UTF-8 JSON
 * Two checksums so a re-stamp rewrites only this small record and never re-reads the body.
 * The header check lets a record whose metadata is damaged still be removed exactly: its size
 * and eviction-order key are known, so the running total stays true without a recount.
 */
import { crc32 } from 'node:zlib';
import { isStoredMeta } from './stored-meta-shape.ts';
import type { CachedObjectMeta } from './types.ts';

const VERSION = 2;
const LEGACY_VERSION = 1;
export const RECORD_HEADER_BYTES = 40;
const HEADER_BYTES = RECORD_HEADER_BYTES;
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

export type RecordFault =
  | 'truncated' | 'version' | 'checksum' | 'header' | 'metadata' | 'body-missing' | 'body-length' | 'body-checksum';

/**
 * A verified header, or why the record does not verify. A record that failed its checksum may
 * still carry a `header` its own check vouches for: enough to remove the entry exactly.
 */
export type HeaderResult =
  | { readonly ok: true; readonly header: RecordHeader }
  | { readonly ok: false; readonly fault: RecordFault; readonly header?: RecordHeader };

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

/**
 * Checks length, checksum, version and that the header's numbers can be true (a record with a
 * valid checksum can still come from a bug); the metadata JSON is not parsed.
 */
export function readHeader(record: Uint8Array): HeaderResult {
  if (record.byteLength < HEADER_BYTES) return { ok: false, fault: 'truncated' };
  const view = Buffer.from(record.buffer, record.byteOffset, record.byteLength);
  const version = view.readUInt8(4);
  if (view.readUInt32LE(0) !== crc32(view.subarray(4))) {
    const vouched = version === VERSION && view.readUIntLE(5, 3) === headerCheck(view) ? decodeHeader(view) : undefined;
    if (vouched === undefined || !isPlausible(vouched, view.byteLength)) return { ok: false, fault: 'checksum' };
    return { ok: false, fault: 'checksum', header: vouched };
  }
  if (version !== VERSION && version !== LEGACY_VERSION) return { ok: false, fault: 'version' };
  const header = decodeHeader(view);
  return isPlausible(header, view.byteLength) ? { ok: true, header } : { ok: false, fault: 'header' };
}

/** Parses the metadata of a record whose header already verified; undefined if unreadable or not servable. */
export function readMeta(record: Uint8Array): CachedObjectMeta | undefined {
  try {
    const text = Buffer.from(record.buffer, record.byteOffset + HEADER_BYTES, record.byteLength - HEADER_BYTES).toString('utf8');
    const meta: unknown = JSON.parse(text);
    return isStoredMeta(meta) ? meta : undefined;
  } catch {
    return undefined;
  }
}

export function checkBody(header: RecordHeader, body: Uint8Array | undefined): RecordFault | undefined {
  if (body === undefined) return 'body-missing';
  // Shorter (a cut-off write) or longer than the header says is told apart from changed bytes.
  if (body.byteLength !== header.bodyLength) return 'body-length';
  if (crc32(body) !== header.bodyCrc) return 'body-checksum';
  return undefined;
}

export function bodyChecksum(body: Uint8Array): number {
  return crc32(body);
}

function decodeHeader(view: Buffer): RecordHeader {
  return {
    bodyCrc: view.readUInt32LE(8),
    bodyLength: view.readUInt32LE(12),
    storedSeq: view.readDoubleLE(16),
    accessSeq: view.readDoubleLE(24),
    size: view.readDoubleLE(32),
  };
}

/** Stamps are positive integers (they key the eviction order); the size covers at least the record and body. */
function isPlausible(header: RecordHeader, recordLength: number): boolean {
  return isStamp(header.storedSeq) && isStamp(header.accessSeq)
    && Number.isSafeInteger(header.size) && header.size >= recordLength + header.bodyLength;
}

function isStamp(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1;
}

function headerCheck(record: Buffer): number {
  return crc32(record.subarray(8, HEADER_BYTES), crc32(record.subarray(4, 5))) & 0xff_ffff;
}

/** Writes version, header check and record checksum (re-stamping a version 1 record upgrades it). */
function seal(record: Buffer): Buffer {
  record.writeUInt8(VERSION, 4);
  record.writeUIntLE(headerCheck(record), 5, 3);
  record.writeUInt32LE(crc32(record.subarray(4)), 0);
  return record;
}
