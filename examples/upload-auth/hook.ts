/**
 * upload-auth (on-request), the TypeScript build of hook.as: same config, same answers (one test
 * table runs against both). PUT and POST need `Authorization: Bearer <JWT>` (HS256 with the hook's
 * secret; `exp`, optional `nbf`, a `scope` path prefix, an optional `max_size`) and a declared
 * Content-Length within the limit: 401 + WWW-Authenticate, 403, 411 or 413 otherwise. Accepted
 * uploads continue without the token and stream to the origin unchanged.
 *
 * The signature is checked with the host's HMAC and constant-time compare (a JS library such as
 * jose needs WebCrypto, which QuickJS does not have); claims are plain JSON.parse.
 */
import { constantTimeEqual, hmacSha256 } from 'edgehook:hooks/crypto@0.1.0';
import { wallNow } from 'edgehook:hooks/clock@0.1.0';
import { get as getConfig } from 'edgehook:hooks/config@0.1.0';
import { getHeader, method, path, removeHeader, setHeader } from 'edgehook:hooks/request@0.1.0';
import type { Verdict } from 'edgehook:hooks/types@0.1.0';
import { base64urlDecode, fromUtf8, utf8 } from '../shared/bytes.ts';
import { settingsOnce } from '../shared/settings.ts';

interface Settings { readonly secret: Uint8Array; readonly realm: string; readonly maxBytes: number; readonly leewaySeconds: number }
type Claims = Record<string, unknown>;

// Parsed once per instance: the config is the same for every request (wit/README.md §7).
const settings = settingsOnce('upload-auth', loadSettings);

function loadSettings(): Settings | string {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(getConfig()) as Record<string, unknown>;
  } catch {
    return 'config is not a JSON object';
  }
  if (typeof raw.secret !== 'string' || raw.secret === '') return 'config.secret is missing';
  const num = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);
  return {
    secret: utf8(raw.secret), realm: typeof raw.realm === 'string' ? raw.realm : 'uploads',
    maxBytes: num(raw.max_bytes, 1_073_741_824), leewaySeconds: num(raw.leeway_seconds, 0),
  };
}

const TEXT: [string, string][] = [['content-type', 'text/plain; charset=utf-8'], ['cache-control', 'no-store']];

function answer(status: number, headers: [string, string][], body: string): Verdict {
  return { tag: 'respond', val: { status, headers: [...TEXT, ...headers], body: utf8(body) } };
}

function unauthorized(s: Settings, reason: string): Verdict {
  const challenge = reason === ''
    ? `Bearer realm="${s.realm}"`
    : `Bearer realm="${s.realm}", error="invalid_token", error_description="${reason}"`;
  return answer(401, [['www-authenticate', challenge]], `unauthorized: ${reason === '' ? 'bearer token required' : reason}\n`);
}

function forbidden(s: Settings, reason: string): Verdict {
  const challenge = `Bearer realm="${s.realm}", error="insufficient_scope", error_description="${reason}"`;
  return answer(403, [['www-authenticate', challenge]], `forbidden: ${reason}\n`);
}

function segmentJson(segment: string): Claims | null {
  const bytes = base64urlDecode(segment);
  const text = bytes === null ? null : fromUtf8(bytes);
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Claims : null;
  } catch {
    return null;
  }
}

/** True when `prefix` covers `target` at a segment boundary ("/up/alice" covers "/up/alice/x", not "/up/alice2"). */
function covers(prefix: string, target: string): boolean {
  if (prefix === '' || !target.startsWith(prefix)) return false;
  return prefix.endsWith('/') || target.length === prefix.length || target[prefix.length] === '/';
}

/** The verified claims, or the reason the token is refused. */
function verify(s: Settings, token: string): Claims | string {
  const parts = token.split('.');
  if (parts.length !== 3) return 'malformed token';
  const header = segmentJson(parts[0]!);
  const claims = segmentJson(parts[1]!);
  const signature = base64urlDecode(parts[2]!);
  if (header === null || claims === null || signature === null) return 'malformed token';
  if (header.alg !== 'HS256') return 'unsupported alg';
  // Constant time: the comparison does not tell an attacker how many bytes matched.
  if (!constantTimeEqual(hmacSha256(s.secret, utf8(`${parts[0]}.${parts[1]}`)), signature)) return 'bad signature';
  const now = Number(wallNow()) / 1000;
  if (typeof claims.exp !== 'number') return 'token has no exp';
  if (now >= claims.exp + s.leewaySeconds) return 'token expired';
  if (typeof claims.nbf === 'number' && now < claims.nbf - s.leewaySeconds) return 'token not yet valid';
  return claims;
}

function check(s: Settings): Verdict {
  const verb = method();
  if (verb !== 'PUT' && verb !== 'POST') return { tag: 'continue' };
  const authorization = getHeader('authorization');
  if (authorization == null || authorization.slice(0, 7).toLowerCase() !== 'bearer ') return unauthorized(s, '');
  const claims = verify(s, authorization.slice(7).trim());
  if (typeof claims === 'string') return unauthorized(s, claims);
  if (typeof claims.scope !== 'string' || !covers(claims.scope, path())) return forbidden(s, "path outside the token's scope");
  const length = getHeader('content-length');
  if (length == null || getHeader('transfer-encoding') != null) return answer(411, [], 'length required: declare Content-Length\n');
  const limit = typeof claims.max_size === 'number' ? Math.min(claims.max_size, s.maxBytes) : s.maxBytes;
  if (!/^[0-9]{1,15}$/.test(length) || Number(length) > limit) return answer(413, [], `too large: the limit is ${Math.trunc(limit)} bytes\n`);
  removeHeader('authorization');
  if (typeof claims.sub === 'string') {
    try {
      setHeader('x-upload-subject', claims.sub);
    } catch {
      // A subject the header rules refuse (above U+00FF) is not forwarded; the upload still is.
    }
  }
  return { tag: 'continue' };
}

export const onRequest = {
  handle(): Verdict {
    return check(settings());
  },
};
