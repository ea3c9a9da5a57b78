// signed-downloads (on-request): authorizes download URLs signed by the customer's application.
//
//   GET /files/report.pdf?expires=<unix seconds>&sig=<base64url HMAC-SHA256(secret, message)>
//   message = path "\n" expires                     (bind: none, the default)
//           | path "\n" expires "\n" client-ip      (bind: ip)
//           | path "\n" expires "\n" country        (bind: country; "--" when unknown)
//
// Runs before the cache lookup, so hits are authorized too. Missing, malformed, expired, too
// long-lived or tampered signatures get 403 with the reason in the body. Valid ones continue with
// `expires` and `sig` removed from the query, so every signature of one object shares one cache
// entry and the origin never sees them. HMAC and the constant-time compare are the host's
// (native speed); base64url and JSON are the SDK's. README.md lists every config field.
import {
  Json, LogLevel, Verdict, base64urlDecode, config, crypto, log, proceed, queryParam, request,
  respond, utf8, wallNow, withoutQueryParams,
} from "./edgehook";

class Settings {
  secret: ArrayBuffer = new ArrayBuffer(0);
  bind: string = "none";
  maxTtlSeconds: f64 = 0;
  error: string = "";
}

// Parsed once per instance: the config is the same for every request (wit/README.md §7).
let settings: Settings | null = null;

function loadSettings(): Settings {
  const s = new Settings();
  const json = Json.parse(config());
  if (json === null) {
    s.error = "config is not a JSON object";
    return s;
  }
  const secret = json.getString("secret");
  if (secret === null || secret.length == 0) s.error = "config.secret is missing";
  else {
    s.secret = utf8(secret);
    const bind = json.getString("bind");
    if (bind !== null) s.bind = bind;
    if (s.bind != "none" && s.bind != "ip" && s.bind != "country") s.error = "config.bind must be none, ip or country";
    const maxTtl = json.getNumber("max_ttl_seconds");
    if (!isNaN(maxTtl)) s.maxTtlSeconds = maxTtl;
  }
  return s;
}

function deny(reason: string): Verdict {
  return respond(403, ["content-type", "text/plain; charset=utf-8", "cache-control", "no-store"], "forbidden: " + reason + "\n");
}

function isDigits(s: string): bool {
  if (s.length == 0 || s.length > 12) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** What the signature is bound to besides path and expiry ("" when unbound). */
function binding(bind: string): string {
  if (bind == "ip") return "\n" + request.clientIp();
  if (bind != "country") return "";
  const geo = request.geo();
  if (geo === null) return "\n--";
  const country = geo.country;
  if (country === null) return "\n--";
  return "\n" + country;
}

export function onRequest(): Verdict {
  if (settings === null) settings = loadSettings();
  const s = settings!;
  if (s.error.length > 0) {
    // Fail closed and loud: the trap makes the host answer 503 naming this hook, with a log line.
    log(LogLevel.Error, "signed-downloads: " + s.error);
    unreachable();
  }
  const query = request.query();
  const expires = queryParam(query, "expires");
  const sig = queryParam(query, "sig");
  if (expires === null || sig === null) return deny("missing signature");
  if (!isDigits(expires!)) return deny("malformed expiry");
  const expiresMs = parseFloat(expires!) * 1000;
  const now = <f64>wallNow();
  if (expiresMs <= now) return deny("expired");
  if (s.maxTtlSeconds > 0 && expiresMs - now > s.maxTtlSeconds * 1000) return deny("expiry too far in the future");
  const given = base64urlDecode(sig!);
  if (given === null) return deny("bad signature");
  const message = request.path() + "\n" + expires! + binding(s.bind);
  // Constant time: the comparison does not tell an attacker how many bytes matched.
  if (!crypto.constantTimeEqual(crypto.hmacSha256(s.secret, utf8(message)), given)) return deny("bad signature");
  request.setQuery(withoutQueryParams(query, ["expires", "sig"]));
  return proceed();
}
