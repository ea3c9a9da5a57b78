import { describe, expect, it } from 'vitest';
import { parseCacheControl } from '../../../src/http/cache-control.ts';
import { fieldsToStrip, isStorable, type StorabilityInput } from '../../../src/http/storability.ts';

interface Case {
  method?: string;
  status?: number;
  req?: string;
  res?: string;
  headers?: Record<string, string>;
  auth?: boolean;
  storeSetCookie?: boolean;
  defaultTtl?: boolean;
}

function input(c: Case): StorabilityInput {
  const headers = c.headers ?? {};
  return {
    method: c.method ?? 'GET',
    status: c.status ?? 200,
    requestCacheControl: parseCacheControl(c.req),
    responseCacheControl: parseCacheControl(c.res),
    responseHeaders: (name) => headers[name],
    requestHasAuthorization: c.auth ?? false,
    storeSetCookie: c.storeSetCookie ?? false,
    hasDefaultTtl: c.defaultTtl ?? false,
  };
}

describe('isStorable', () => {
  it.each<[string, Case]>([
    ['plain 200 (heuristically cacheable)', {}],
    ['max-age on a 302', { status: 302, res: 'max-age=60' }],
    ['s-maxage on a 307', { status: 307, res: 's-maxage=60' }],
    ['Expires on a 303, even an invalid one', { status: 303, headers: { expires: '0' } }],
    ['public on a 302', { status: 302, res: 'public' }],
    ['default TTL on a 302', { status: 302, defaultTtl: true }],
    ['404 without directives', { status: 404 }],
    ['308 without directives', { status: 308 }],
    ['private="set-cookie" is storable (fields are stripped)', { res: 'private="set-cookie"', headers: { 'set-cookie': 'a=1' } }],
    ['no-cache="set-cookie" strips the cookie', { res: 'no-cache="Set-Cookie"', headers: { 'set-cookie': 'a=1' } }],
    ['unqualified no-cache is storable (revalidate on use)', { res: 'no-cache' }],
    ['Set-Cookie allowed by config', { headers: { 'set-cookie': 'a=1' }, storeSetCookie: true }],
    ['Authorization with public', { auth: true, res: 'public' }],
    ['Authorization with s-maxage', { auth: true, res: 's-maxage=5' }],
    ['Authorization with must-revalidate', { auth: true, res: 'must-revalidate, max-age=5' }],
    ['Vary: * is storable (never matches)', { headers: { vary: '*' } }],
    ['must-understand + no-store on an understood status', { res: 'must-understand, no-store, max-age=60' }],
  ])('stores: %s', (_label, c) => {
    expect(isStorable(input(c))).toEqual({ storable: true });
  });

  it.each<[string, Case, string]>([
    ['HEAD', { method: 'HEAD' }, 'method'],
    ['POST', { method: 'POST', res: 'max-age=60' }, 'method'],
    ['lowercase get is not GET', { method: 'get' }, 'method'],
    ['request no-store', { req: 'no-store', res: 'max-age=60' }, 'request-no-store'],
    ['response no-store', { res: 'no-store, max-age=60' }, 'no-store'],
    ['response NO-STORE (case)', { res: 'NO-STORE' }, 'no-store'],
    ['private', { res: 'private, max-age=60' }, 'private'],
    ['private with Authorization', { res: 'private, public', auth: true }, 'private'],
    ['Authorization without permission', { auth: true, res: 'max-age=60' }, 'authorization'],
    ['Authorization with only proxy-revalidate', { auth: true, res: 'proxy-revalidate, max-age=60' }, 'authorization'],
    ['Set-Cookie not allowed', { headers: { 'set-cookie': 'a=1' }, res: 'max-age=60' }, 'set-cookie'],
    ['Set-Cookie when another field is private', { headers: { 'set-cookie': 'a=1' }, res: 'private="x-user"' }, 'set-cookie'],
    ['100 Continue', { status: 100 }, 'status'],
    ['304', { status: 304, res: 'max-age=60' }, 'status'],
    ['206 (we store complete responses only)', { status: 206, res: 'max-age=60' }, 'partial'],
    ['status 600', { status: 600, res: 'max-age=60' }, 'status'],
    ['must-understand on an unknown status', { status: 299, res: 'must-understand, no-store' }, 'must-understand'],
    ['302 without freshness', { status: 302 }, 'no-freshness'],
    ['500 without freshness', { status: 500 }, 'no-freshness'],
    ['302 with only no-cache', { status: 302, res: 'no-cache' }, 'no-freshness'],
  ])('does not store: %s', (_label, c, reason) => {
    expect(isStorable(input(c))).toEqual({ storable: false, reason });
  });

  it('reports the request-side reason before the status', () => {
    expect(isStorable(input({ status: 100, req: 'no-store' }))).toEqual({ storable: false, reason: 'request-no-store' });
  });
});

describe('fieldsToStrip', () => {
  it.each<[string | undefined, string[]]>([
    [undefined, []],
    ['max-age=60', []],
    ['private', []],
    ['no-cache', []],
    ['private="Set-Cookie, X-User"', ['set-cookie', 'x-user']],
    ['no-cache="x-a"', ['x-a']],
    ['private="x-a, x-b", no-cache="x-b, x-c"', ['x-a', 'x-b', 'x-c']],
  ])('%j → %j', (value, expected) => {
    expect(fieldsToStrip(parseCacheControl(value))).toEqual(expected);
  });

  it('returns a copy that callers may change', () => {
    const cc = parseCacheControl('private="a"');
    fieldsToStrip(cc).push('b');
    expect(cc.privateFields).toEqual(['a']);
  });
});
