import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  accountedSize, bodyChecksum, buildRecord, checkBody, encodeMeta, readHeader, readMeta, restampRecord, type RecordHeader,
} from '../../../src/cache/disk-record.ts';
import type { CachedObjectMeta } from '../../../src/cache/types.ts';
import { makeObject } from './make-object.ts';

function mustEncode(meta: CachedObjectMeta): Buffer {
  const json = encodeMeta(meta);
  if (json === undefined) throw new Error('metadata did not serialize');
  return json;
}

const object = makeObject({ key: 'k', body: 'the body', tags: ['a', 'b'] });
const metaJson = mustEncode(object.meta);
const header: RecordHeader = {
  bodyCrc: bodyChecksum(object.body), bodyLength: object.body.byteLength, storedSeq: 7, accessSeq: 9,
  size: accountedSize(metaJson, object.body.byteLength, object.meta),
};

describe('disk record', () => {
  it('round-trips header and metadata', () => {
    const record = buildRecord(metaJson, header);
    expect(readHeader(record)).toEqual({ ok: true, header });
    expect(readMeta(record)).toEqual(object.meta);
    expect(checkBody(header, object.body)).toBeUndefined();
  });

  it('re-stamps without touching anything else, and the result still verifies', () => {
    const record = restampRecord(buildRecord(metaJson, header), 42);
    expect(readHeader(record)).toEqual({ ok: true, header: { ...header, accessSeq: 42 } });
    expect(readMeta(record)).toEqual(object.meta);
  });

  it.each([0, 4, 8, 12, 16, 24, 32, 40, 60])('detects a flipped byte at offset %i', (offset) => {
    const record = buildRecord(metaJson, header);
    record[offset] = (record[offset] ?? 0) ^ 0x01;
    expect(readHeader(record)).toMatchObject({ ok: false });
  });

  it('vouches for the header of a record whose metadata is damaged, so it can be removed exactly', () => {
    const record = buildRecord(metaJson, header);
    record[60] = (record[60] ?? 0) ^ 0x01;
    expect(readHeader(record)).toEqual({ ok: false, fault: 'checksum', header });
    expect(readHeader(record.subarray(0, record.byteLength - 3))).toEqual({ ok: false, fault: 'checksum', header });
  });

  it.each([5, 12, 20, 28, 36])('does not vouch for a header with byte %i flipped', (offset) => {
    const record = buildRecord(metaJson, header);
    record[offset] = (record[offset] ?? 0) ^ 0x01;
    expect(readHeader(record)).toEqual({ ok: false, fault: 'checksum' });
  });

  it('reads version 1 records, which have no header check, and upgrades them when re-stamped', () => {
    const legacy = buildRecord(metaJson, header);
    legacy.writeUInt8(1, 4);
    legacy.writeUIntLE(0, 5, 3);
    legacy.writeUInt32LE(crc32(legacy.subarray(4)), 0);
    expect(readHeader(legacy)).toEqual({ ok: true, header });
    const restamped = restampRecord(legacy, 50);
    expect(restamped[4]).toBe(2);
    restamped[60] = (restamped[60] ?? 0) ^ 0x01;
    expect(readHeader(restamped)).toMatchObject({ ok: false, header: { accessSeq: 50 } });
  });

  it.each<[string, Partial<RecordHeader>]>([
    ['a size below the record and body', { size: 20 }],
    ['a fractional size', { size: header.size + 0.5 }],
    ['an infinite size', { size: Number.POSITIVE_INFINITY }],
    ['an access stamp of 0', { accessSeq: 0 }],
    ['a stored stamp that is not a number', { storedSeq: Number.NaN }],
  ])('refuses a sealed header with %s', (_label, fields) => {
    expect(readHeader(buildRecord(metaJson, { ...header, ...fields }))).toEqual({ ok: false, fault: 'header' });
  });

  it('detects a truncated record', () => {
    expect(readHeader(buildRecord(metaJson, header).subarray(0, 30))).toEqual({ ok: false, fault: 'truncated' });
  });

  it.each<[string, Buffer | undefined, string]>([
    ['missing', undefined, 'body-missing'],
    ['one byte changed', Buffer.from('the bodY'), 'body-checksum'],
    ['truncated', Buffer.from('the bod'), 'body-length'],
  ])('rejects a body that is %s', (_label, body, fault) => {
    expect(checkBody(header, body)).toBe(fault);
  });

  it('counts body, metadata and index entries in the accounted size', () => {
    const untagged = makeObject({ key: 'k', body: 'the body' });
    expect(header.size).toBeGreaterThan(metaJson.byteLength + object.body.byteLength);
    expect(header.size).toBeGreaterThan(accountedSize(mustEncode(untagged.meta), 8, untagged.meta));
  });

  it.each<[string, unknown]>([
    ['without a policy', { ...object.meta, policy: undefined }],
    ['with a status that is a string', { ...object.meta, status: '200' }],
    ['with a header that is not a pair', { ...object.meta, headers: [['a', 'b', 'c']] }],
    ['with tags that are not strings', { ...object.meta, tags: [1] }],
    ['with varyNames that is a string', { ...object.meta, varyNames: 'accept' }],
  ])('reads no metadata %s', (_label, meta) => {
    expect(readMeta(buildRecord(Buffer.from(JSON.stringify(meta)), header))).toBeUndefined();
  });

  it('refuses metadata JSON cannot hold', () => {
    expect(encodeMeta({ ...object.meta, attributes: { big: 1n } })).toBeUndefined();
  });
});
