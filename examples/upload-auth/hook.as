// upload-auth (on-request): PUT and POST need `Authorization: Bearer <JWT>` signed HS256 with the
// hook's secret, whose `scope` claim is a path prefix covering the request path, and a declared
// Content-Length within the limit (config max_bytes, lowered by the token's `max_size` claim).
//
//   401 + WWW-Authenticate  no token, a malformed or badly signed one, expired (`exp`), not yet
//                           valid (`nbf`), or an alg other than HS256 (RFC 6750 §3)
//   403 + WWW-Authenticate  the path is outside the token's `scope` (error="insufficient_scope")
//   411                     no Content-Length (a chunked upload cannot be checked before it streams)
//   413                     Content-Length over the limit
//
// Refusals happen before the body is read, so the origin never sees a refused upload. Accepted
// ones continue with the token removed (the origin gets `x-upload-subject` from `sub` instead)
// and stream to the origin unchanged: this hook never asks for the body. HMAC and the
// constant-time compare are the host's; base64url and JSON are the SDK's. README.md has the rest.
import {
  Json, JsonKind, LogLevel, Verdict, base64urlDecode, config, crypto, log, proceed, request,
  respond, utf8, wallNow,
} from "./edgehook";

class Settings {
  secret: ArrayBuffer = new ArrayBuffer(0);
  realm: string = "uploads";
  maxBytes: f64 = 1073741824;
  leewaySeconds: f64 = 0;
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
  else s.secret = utf8(secret);
  const realm = json.getString("realm");
  if (realm !== null) s.realm = realm;
  const maxBytes = json.getNumber("max_bytes");
  if (!isNaN(maxBytes)) s.maxBytes = maxBytes;
  const leeway = json.getNumber("leeway_seconds");
  if (!isNaN(leeway)) s.leewaySeconds = leeway;
  return s;
}

const TEXT = "text/plain; charset=utf-8";

function unauthorized(s: Settings, reason: string): Verdict {
  const challenge = reason.length == 0
    ? "Bearer realm=\"" + s.realm + "\""
    : "Bearer realm=\"" + s.realm + "\", error=\"invalid_token\", error_description=\"" + reason + "\"";
  return respond(401, ["content-type", TEXT, "cache-control", "no-store", "www-authenticate", challenge],
    "unauthorized: " + (reason.length == 0 ? "bearer token required" : reason) + "\n");
}

function forbidden(s: Settings, reason: string): Verdict {
  const challenge = "Bearer realm=\"" + s.realm + "\", error=\"insufficient_scope\", error_description=\"" + reason + "\"";
  return respond(403, ["content-type", TEXT, "cache-control", "no-store", "www-authenticate", challenge], "forbidden: " + reason + "\n");
}

function segmentJson(segment: string): Json | null {
  const bytes = base64urlDecode(segment);
  if (bytes === null) return null;
  const json = Json.parse(String.UTF8.decode(bytes));
  return json !== null && json.kind == JsonKind.Object ? json : null;
}

/** True when `prefix` covers `path` at a segment boundary ("/up/alice" covers "/up/alice/x", not "/up/alice2"). */
function covers(prefix: string, path: string): bool {
  if (prefix.length == 0 || !path.startsWith(prefix)) return false;
  return prefix.endsWith("/") || path.length == prefix.length || path.charCodeAt(prefix.length) == 47;
}

function isDigits(s: string): bool {
  if (s.length == 0 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

class Verified {
  claims: Json | null = null;
  reason: string = "";
}

function refused(reason: string): Verified {
  const v = new Verified();
  v.reason = reason;
  return v;
}

/** The verified claims, or the reason the token is refused. */
function verify(s: Settings, token: string): Verified {
  const parts = token.split(".");
  if (parts.length != 3) return refused("malformed token");
  const header = segmentJson(parts[0]);
  const claims = segmentJson(parts[1]);
  const signature = base64urlDecode(parts[2]);
  if (header === null || claims === null || signature === null) return refused("malformed token");
  const alg = header.getString("alg");
  if (alg === null || alg != "HS256") return refused("unsupported alg");
  const expected = crypto.hmacSha256(s.secret, utf8(parts[0] + "." + parts[1]));
  // Constant time: the comparison does not tell an attacker how many bytes matched.
  if (!crypto.constantTimeEqual(expected, signature)) return refused("bad signature");
  const now = <f64>wallNow() / 1000;
  const exp = claims.getNumber("exp");
  if (isNaN(exp)) return refused("token has no exp");
  if (now >= exp + s.leewaySeconds) return refused("token expired");
  const nbf = claims.getNumber("nbf");
  if (!isNaN(nbf) && now < nbf - s.leewaySeconds) return refused("token not yet valid");
  const v = new Verified();
  v.claims = claims;
  return v;
}

export function onRequest(): Verdict {
  if (settings === null) settings = loadSettings();
  const s = settings!;
  if (s.error.length > 0) {
    // Fail closed and loud: the trap makes the host answer 503 naming this hook, with a log line.
    log(LogLevel.Error, "upload-auth: " + s.error);
    unreachable();
  }
  const method = request.method();
  if (method != "PUT" && method != "POST") return proceed();
  const authorization = request.getHeader("authorization");
  if (authorization === null || authorization.length < 7 || authorization.substring(0, 7).toLowerCase() != "bearer ") {
    return unauthorized(s, "");
  }
  const verified = verify(s, authorization.substring(7).trim());
  const claims = verified.claims;
  if (claims === null) return unauthorized(s, verified.reason);
  const scope = claims.getString("scope");
  if (scope === null || !covers(scope, request.path())) return forbidden(s, "path outside the token's scope");
  const length = request.getHeader("content-length");
  if (length === null || request.getHeader("transfer-encoding") !== null) {
    return respond(411, ["content-type", TEXT, "cache-control", "no-store"], "length required: declare Content-Length\n");
  }
  let limit = s.maxBytes;
  const maxSize = claims.getNumber("max_size");
  if (!isNaN(maxSize) && maxSize < limit) limit = maxSize;
  if (!isDigits(length) || parseFloat(length) > limit) {
    return respond(413, ["content-type", TEXT, "cache-control", "no-store"], "too large: the limit is " + (<i64>limit).toString() + " bytes\n");
  }
  request.removeHeader("authorization");
  const subject = claims.getString("sub");
  if (subject !== null) request.setHeader("x-upload-subject", subject);
  return proceed();
}
