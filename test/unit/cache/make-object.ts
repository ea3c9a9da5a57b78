/**
 * Builds cached objects for store tests. The one place that knows every required metadata
 * field, so a change to CachedObjectMeta touches one helper rather than every test.
 */
import type { CachedObject, CachedObjectMeta, StoredPolicy } from '../../../src/cache/types.ts';

const POLICY: StoredPolicy = {
  lifetimeSeconds: 60,
  initialAgeSeconds: 0,
  staleWhileRevalidateSeconds: 0,
  staleIfErrorSeconds: 0,
  mustRevalidate: false,
  noCache: false,
  etag: '"v1"',
};

export interface ObjectSpec extends Partial<CachedObjectMeta> {
  /** Body bytes: a string, a buffer, or a length to fill. */
  readonly body?: string | Buffer | number;
}

export function makeObject(spec: ObjectSpec = {}): CachedObject {
  const { body = 'hello', ...metaFields } = spec;
  const key = metaFields.key ?? 'GET|example.com|/a';
  const meta: CachedObjectMeta = {
    key,
    variantKey: '',
    url: `https://example.com/${key.split('|').at(-1)?.replace(/^\//, '') ?? ''}`,
    status: 200,
    headers: [['content-type', 'text/plain'], ['cache-control', 'max-age=60']],
    varyNames: null,
    requestTime: 1_700_000_000_000,
    responseTime: 1_700_000_000_050,
    tags: [],
    policy: POLICY,
    ...metaFields,
  };
  return { meta, body: toBuffer(body) };
}

function toBuffer(body: string | Buffer | number): Buffer {
  if (typeof body === 'number') return Buffer.alloc(body, 0x61);
  return typeof body === 'string' ? Buffer.from(body) : body;
}
