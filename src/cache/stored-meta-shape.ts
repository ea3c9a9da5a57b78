/**
 * Whether parsed metadata has every field that serving a stored object reads, with the types
 * it reads them as. A record can pass its checksum and still hold metadata this version cannot
 * serve (written by another version, or by a bug): served, it would fail on every request for
 * the object (a TypeError answers 500, and a "hit" is never refetched), so the disk store drops
 * such an entry instead. Cost: a walk over the header pairs, beside a body read.
 */
import type { CachedObjectMeta, StoredPolicy } from './types.ts';

type Fields = Record<string, unknown>;

export function isStoredMeta(value: unknown): value is CachedObjectMeta {
  if (!isFields(value)) return false;
  return typeof value.key === 'string'
    && typeof value.variantKey === 'string'
    && typeof value.url === 'string'
    && Number.isInteger(value.status) && (value.status as number) >= 100 && (value.status as number) <= 999
    && isHeaderPairs(value.headers)
    && (value.varyNames === null || isStrings(value.varyNames))
    && Number.isFinite(value.requestTime)
    && Number.isFinite(value.responseTime)
    && isStrings(value.tags)
    && isPolicy(value.policy)
    && (value.attributes === undefined || isFields(value.attributes));
}

function isPolicy(value: unknown): value is StoredPolicy {
  if (!isFields(value)) return false;
  return Number.isFinite(value.lifetimeSeconds)
    && Number.isFinite(value.initialAgeSeconds)
    && Number.isFinite(value.staleWhileRevalidateSeconds)
    && Number.isFinite(value.staleIfErrorSeconds)
    && typeof value.mustRevalidate === 'boolean'
    && typeof value.noCache === 'boolean'
    && (value.etag === undefined || typeof value.etag === 'string')
    && (value.lastModified === undefined || typeof value.lastModified === 'string');
}

function isHeaderPairs(value: unknown): boolean {
  return Array.isArray(value)
    && value.every((pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && typeof pair[1] === 'string');
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
