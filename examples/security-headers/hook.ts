/**
 * security-headers (on-request + on-response), the TypeScript build of hook.as: same config, same
 * answers (one test table runs against both). Sets HSTS, CSP (with a fresh nonce per response when
 * `csp` contains {nonce}), X-Content-Type-Options, Referrer-Policy and Permissions-Policy on every
 * response, removes Server and X-Powered-By, adds CORS headers for allowed origins and answers
 * CORS preflights at the edge. The nonce is HMAC-SHA256(nonce_key, counter, clock, client, path):
 * the contract has no random source (and the build stubs out Math.random's).
 */
import { hmacSha256 } from 'edgehook:hooks/crypto@0.1.0';
import { monotonicNow } from 'edgehook:hooks/clock@0.1.0';
import { get as getConfig } from 'edgehook:hooks/config@0.1.0';
import * as request from 'edgehook:hooks/request@0.1.0';
import * as response from 'edgehook:hooks/response@0.1.0';
import type { Verdict } from 'edgehook:hooks/types@0.1.0';
import { base64urlEncode, fromUtf8, utf8 } from '../shared/bytes.ts';
import { settingsOnce } from '../shared/settings.ts';

interface Settings {
  readonly hsts: string; readonly csp: string; readonly nonceKey: Uint8Array; readonly noncePlaceholder: string;
  readonly contentTypeOptions: boolean; readonly referrerPolicy: string; readonly permissionsPolicy: string;
  readonly cors: { origins: string[]; methods: string[]; headers: string[]; expose: string[]; credentials: boolean; maxAge: number };
}

// Parsed once per instance: the config is the same for every request (wit/README.md §7).
let nonceCounter = 0;

const str = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
const strings = (value: unknown, fallback: string[]): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : fallback);

function loadSettings(): Settings | string {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(getConfig()) as Record<string, unknown>;
  } catch {
    return 'config is not a JSON object';
  }
  const csp = str(raw.csp, '');
  const nonceKey = utf8(str(raw.nonce_key, ''));
  if (csp.includes('{nonce}') && nonceKey.length === 0) return 'config.nonce_key is required when csp contains {nonce}';
  const cors = (typeof raw.cors === 'object' && raw.cors !== null ? raw.cors : {}) as Record<string, unknown>;
  return {
    hsts: str(raw.hsts, 'max-age=31536000; includeSubDomains'), csp, nonceKey,
    noncePlaceholder: str(raw.nonce_placeholder, 'EDGEHOOK_NONCE'),
    contentTypeOptions: typeof raw.content_type_options === 'boolean' ? raw.content_type_options : true,
    referrerPolicy: str(raw.referrer_policy, 'strict-origin-when-cross-origin'),
    permissionsPolicy: str(raw.permissions_policy, ''),
    cors: {
      origins: strings(cors.origins, []), methods: strings(cors.methods, ['GET', 'HEAD', 'POST']),
      headers: strings(cors.headers, []), expose: strings(cors.expose, []),
      credentials: cors.credentials === true, maxAge: typeof cors.max_age === 'number' ? Math.trunc(cors.max_age) : 600,
    },
  };
}

const current = settingsOnce('security-headers', loadSettings);

/** The request's Origin when it is one the config allows, else null. */
function allowedOrigin(s: Settings): string | null {
  const origin = request.getHeader('origin');
  if (origin == null) return null;
  return s.cors.origins.some((allowed) => allowed === '*' || allowed === origin) ? origin : null;
}

function headersAllowed(s: Settings, requested: string): boolean {
  const allowed = s.cors.headers.map((h) => h.toLowerCase());
  return requested.split(',').map((h) => h.trim().toLowerCase()).every((h) => h === '' || allowed.includes(h));
}

function preflight(s: Settings): Verdict {
  const asked = request.getHeader('access-control-request-method');
  if (asked == null || request.getHeader('origin') == null) return { tag: 'continue' };
  const origin = allowedOrigin(s);
  const requested = request.getHeader('access-control-request-headers');
  if (origin === null || !s.cors.methods.includes(asked) || (requested != null && !headersAllowed(s, requested))) {
    const headers: [string, string][] = [['content-type', 'text/plain; charset=utf-8'], ['cache-control', 'no-store'], ['vary', 'origin']];
    return { tag: 'respond', val: { status: 403, headers, body: utf8('forbidden: CORS preflight not allowed\n') } };
  }
  const headers: [string, string][] = [
    ['access-control-allow-origin', origin], ['access-control-allow-methods', s.cors.methods.join(', ')],
    ['access-control-max-age', String(s.cors.maxAge)], ['vary', 'origin'],
  ];
  if (requested != null && requested !== '') headers.push(['access-control-allow-headers', requested]);
  if (s.cors.credentials) headers.push(['access-control-allow-credentials', 'true']);
  return { tag: 'respond', val: { status: 204, headers, body: new Uint8Array(0) } };
}

export const onRequest = {
  handle(): Verdict {
    const s = current();
    return request.method() === 'OPTIONS' ? preflight(s) : { tag: 'continue' };
  },
};

function nonce(s: Settings): string {
  nonceCounter++;
  const seed = `${nonceCounter}:${monotonicNow()}:${request.clientIp()}:${request.path()}`;
  return base64urlEncode(hmacSha256(s.nonceKey, utf8(seed))).slice(0, 22);
}

function setCsp(s: Settings): void {
  if (s.csp === '') return;
  if (!s.csp.includes('{nonce}')) {
    response.setHeader('content-security-policy', s.csp);
    return;
  }
  const value = nonce(s);
  response.setHeader('content-security-policy', s.csp.replaceAll('{nonce}', value));
  if (!(response.getHeader('content-type') ?? '').toLowerCase().startsWith('text/html')) return;
  const body = response.body();
  const html = body == null ? null : fromUtf8(body);
  if (html != null && html.includes(s.noncePlaceholder)) response.setBody(utf8(html.replaceAll(s.noncePlaceholder, value)));
}

export const onResponse = {
  handle(): Verdict {
    const s = current();
    if (s.hsts !== '') response.setHeader('strict-transport-security', s.hsts);
    setCsp(s);
    if (s.contentTypeOptions) response.setHeader('x-content-type-options', 'nosniff');
    if (s.referrerPolicy !== '') response.setHeader('referrer-policy', s.referrerPolicy);
    if (s.permissionsPolicy !== '') response.setHeader('permissions-policy', s.permissionsPolicy);
    response.removeHeader('server');
    response.removeHeader('x-powered-by');
    if (s.cors.origins.length === 0) return { tag: 'continue' };
    // The answer differs by Origin: downstream caches must key on it.
    if (!(response.getHeader('vary') ?? '').toLowerCase().includes('origin')) response.appendHeader('vary', 'origin');
    const origin = allowedOrigin(s);
    if (origin === null) return { tag: 'continue' };
    response.setHeader('access-control-allow-origin', origin);
    if (s.cors.credentials) response.setHeader('access-control-allow-credentials', 'true');
    if (s.cors.expose.length > 0) response.setHeader('access-control-expose-headers', s.cors.expose.join(', '));
    return { tag: 'continue' };
  },
};
