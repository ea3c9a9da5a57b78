// Signed download URLs: /path?expires=<unix seconds>&sig=<hex HMAC-SHA256(key, path + "\n" + expires)>.
// The key is the hook's `config` string. Unsigned, tampered or expired URLs get 403; valid ones
// continue with the signature removed from the query, so every signature shares one cache entry.
import { Verdict, proceed, respond, request, crypto, utf8, config, wallNow } from "./edgehook";

function param(query: string, name: string): string | null {
  const parts = query.split("&");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const eq = part.indexOf("=");
    if (eq > 0 && part.substring(0, eq) == name) return part.substring(eq + 1);
  }
  return null;
}

const HEX = "0123456789abcdef";
function hex(buf: ArrayBuffer): string {
  const bytes = Uint8Array.wrap(buf);
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX.charAt(bytes[i] >> 4) + HEX.charAt(bytes[i] & 15);
  return out;
}

function deny(reason: string): Verdict {
  return respond(403, ["content-type", "text/plain; charset=utf-8", "cache-control", "no-store"], reason + "\n");
}

export function onRequest(): Verdict {
  const query = request.query();
  const expires = param(query, "expires");
  const sig = param(query, "sig");
  if (expires === null || sig === null) return deny("missing signature");
  const expiresAt = parseInt(expires);
  if (isNaN(expiresAt) || expiresAt * 1000 < <f64>wallNow()) return deny("expired");
  const expected = hex(crypto.hmacSha256(utf8(config()), utf8(request.path() + "\n" + expires)));
  // Constant time: the comparison does not tell an attacker how many characters matched.
  if (!crypto.constantTimeEqual(utf8(expected), utf8(sig))) return deny("bad signature");
  request.setQuery("");
  return proceed();
}
