/**
 * signed-downloads (on-request), the TypeScript build of hook.as: same config, same answers (one
 * test table runs against both). Authorizes download URLs signed by the customer's application:
 *
 *   GET /files/report.pdf?expires=<unix seconds>&sig=<base64url HMAC-SHA256(secret, message)>
 *   message = path "\n" expires ["\n" client-ip | "\n" country]   (config.bind: none | ip | country)
 *
 * HMAC, the constant-time compare and the clock come from the host contract; QuickJS has no
 * TextEncoder or atob, so the few lines of UTF-8 and base64url are in ../shared/bytes.ts.
 */
import { hmacSha256, constantTimeEqual } from 'edgehook:hooks/crypto@0.1.0';
import { wallNow } from 'edgehook:hooks/clock@0.1.0';
import { get as getConfig } from 'edgehook:hooks/config@0.1.0';
import { clientIp, geo, path, query, setQuery } from 'edgehook:hooks/request@0.1.0';
import type { Verdict } from 'edgehook:hooks/types@0.1.0';
import { base64urlDecode, utf8 } from '../shared/bytes.ts';
import { settingsOnce } from '../shared/settings.ts';

interface Settings { readonly secret: Uint8Array; readonly bind: 'none' | 'ip' | 'country'; readonly maxTtlSeconds: number }

// Parsed once per instance: the config is the same for every request (wit/README.md §7).
const settings = settingsOnce('signed-downloads', loadSettings);

function loadSettings(): Settings | string {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(getConfig()) as Record<string, unknown>;
  } catch {
    return 'config is not a JSON object';
  }
  if (typeof raw.secret !== 'string' || raw.secret === '') return 'config.secret is missing';
  const bind = raw.bind ?? 'none';
  if (bind !== 'none' && bind !== 'ip' && bind !== 'country') return 'config.bind must be none, ip or country';
  return { secret: utf8(raw.secret), bind, maxTtlSeconds: typeof raw.max_ttl_seconds === 'number' ? raw.max_ttl_seconds : 0 };
}

function deny(reason: string): Verdict {
  return {
    tag: 'respond',
    val: { status: 403, headers: [['content-type', 'text/plain; charset=utf-8'], ['cache-control', 'no-store']], body: utf8(`forbidden: ${reason}\n`) },
  };
}

/** The query's parameters in order, raw (still percent-encoded). */
function params(q: string): [string, string | undefined][] {
  return q === '' ? [] : q.split('&').map((part) => {
    const eq = part.indexOf('=');
    return eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
  });
}

/** What the signature is bound to besides path and expiry ('' when unbound). */
function binding(bind: Settings['bind']): string {
  if (bind === 'ip') return `\n${clientIp()}`;
  if (bind === 'none') return '';
  return `\n${geo()?.country ?? '--'}`;
}

function check(s: Settings): Verdict {
  const q = query();
  const all = params(q);
  const expires = all.find(([k]) => k === 'expires')?.[1];
  const sig = all.find(([k]) => k === 'sig')?.[1];
  if (expires === undefined || sig === undefined) return deny('missing signature');
  if (!/^[0-9]{1,12}$/.test(expires)) return deny('malformed expiry');
  const expiresMs = Number(expires) * 1000;
  const now = Number(wallNow());
  if (expiresMs <= now) return deny('expired');
  if (s.maxTtlSeconds > 0 && expiresMs - now > s.maxTtlSeconds * 1000) return deny('expiry too far in the future');
  const given = base64urlDecode(sig);
  if (given === null) return deny('bad signature');
  const message = `${path()}\n${expires}${binding(s.bind)}`;
  // Constant time: the comparison does not tell an attacker how many bytes matched.
  if (!constantTimeEqual(hmacSha256(s.secret, utf8(message)), given)) return deny('bad signature');
  setQuery(q.split('&').filter((part, i) => part !== '' && all[i]![0] !== 'expires' && all[i]![0] !== 'sig').join('&'));
  return { tag: 'continue' };
}

export const onRequest = {
  handle(): Verdict {
    return check(settings());
  },
};
