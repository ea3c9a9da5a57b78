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

  it('detects a truncated record', () => {
    expect(readHeader(buildRecord(metaJson, header).subarray(0, 30))).toEqual({ ok: false, fault: 'truncated' });
  });

  it.each<[string, Buffer | undefined, string]>([
    ['missing', undefined, 'body-missing'],
    ['one byte changed', Buffer.from('the bodY'), 'body-checksum'],
    ['truncated', Buffer.from('the bod'), 'body-checksum'],
  ])('rejects a body that is %s', (_label, body, fault) => {
    expect(checkBody(header, body)).toBe(fault);
  });

  it('counts body, metadata and index entries in the accounted size', () => {
    const untagged = makeObject({ key: 'k', body: 'the body' });
    expect(header.size).toBeGreaterThan(metaJson.byteLength + object.body.byteLength);
    expect(header.size).toBeGreaterThan(accountedSize(mustEncode(untagged.meta), 8, untagged.meta));
  });

  it('refuses metadata JSON cannot hold', () => {
    expect(encodeMeta({ ...object.meta, attributes: { big: 1n } })).toBeUndefined();
  });
});
