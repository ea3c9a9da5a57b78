// security-headers (on-request + on-response): the browser security headers a site should send,
// set at the edge on every response (hits, misses, local answers, errors), and CORS for
// configured origins with preflights answered at the edge.
//
// on-request answers CORS preflights (OPTIONS + Origin + Access-Control-Request-Method): 204 with
// the Access-Control-* headers for an allowed origin and method, 403 otherwise; the origin never
// sees a preflight. on-response sets HSTS, CSP, X-Content-Type-Options, Referrer-Policy and
// Permissions-Policy (each from config; "" turns one off), adds CORS headers for an allowed
// Origin, and removes Server and X-Powered-By.
//
// CSP nonce: when `csp` contains {nonce}, every response gets a fresh nonce, and in an HTML body
// the hook may read (the route's `body.response` > 0) every `nonce_placeholder` is replaced by it.
// The contract has no random source: the nonce is HMAC-SHA256(nonce_key, a per-instance counter,
// the monotonic clock, the client and path), unpredictable without the key and unique per call.
import {
  Json, LogLevel, Verdict, base64urlEncode, config, crypto, log, monotonicNow, proceed, request,
  respond, response, utf8,
} from "./edgehook";

class Settings {
  hsts: string = "max-age=31536000; includeSubDomains";
  csp: string = "";
  nonceKey: ArrayBuffer = new ArrayBuffer(0);
  noncePlaceholder: string = "EDGEHOOK_NONCE";
  contentTypeOptions: bool = true;
  referrerPolicy: string = "strict-origin-when-cross-origin";
  permissionsPolicy: string = "";
  corsOrigins: string[] = [];
  corsMethods: string[] = ["GET", "HEAD", "POST"];
  corsHeaders: string[] = [];
  corsExpose: string[] = [];
  corsCredentials: bool = false;
  corsMaxAge: i64 = 600;
  error: string = "";
}

// Parsed once per instance: the config is the same for every request (wit/README.md §7).
let settings: Settings | null = null;
let nonceCounter: u64 = 0;

function stringOr(json: Json, key: string, fallback: string): string {
  const v = json.getString(key);
  return v === null ? fallback : v;
}

function loadSettings(): Settings {
  const s = new Settings();
  const json = Json.parse(config());
  if (json === null) {
    s.error = "config is not a JSON object";
    return s;
  }
  s.hsts = stringOr(json, "hsts", s.hsts);
  s.csp = stringOr(json, "csp", s.csp);
  s.noncePlaceholder = stringOr(json, "nonce_placeholder", s.noncePlaceholder);
  s.nonceKey = utf8(stringOr(json, "nonce_key", ""));
  if (s.csp.includes("{nonce}") && s.nonceKey.byteLength == 0) s.error = "config.nonce_key is required when csp contains {nonce}";
  s.contentTypeOptions = json.getBool("content_type_options", true);
  s.referrerPolicy = stringOr(json, "referrer_policy", s.referrerPolicy);
  s.permissionsPolicy = stringOr(json, "permissions_policy", s.permissionsPolicy);
  const cors = json.get("cors");
  if (cors !== null) {
    s.corsOrigins = cors.getStrings("origins");
    if (cors.get("methods") !== null) s.corsMethods = cors.getStrings("methods");
    s.corsHeaders = cors.getStrings("headers");
    s.corsExpose = cors.getStrings("expose");
    s.corsCredentials = cors.getBool("credentials", false);
    const maxAge = cors.getNumber("max_age");
    if (!isNaN(maxAge)) s.corsMaxAge = <i64>maxAge;
  }
  return s;
}

function current(): Settings {
  if (settings === null) settings = loadSettings();
  const s = settings!;
  if (s.error.length > 0) {
    // Fail closed and loud: the trap makes the host answer 503 naming this hook, with a log line.
    log(LogLevel.Error, "security-headers: " + s.error);
    unreachable();
  }
  return s;
}

/** The request's Origin when it is one the config allows, else null. */
function allowedOrigin(s: Settings): string | null {
  const origin = request.getHeader("origin");
  if (origin === null) return null;
  for (let i = 0; i < s.corsOrigins.length; i++) {
    if (s.corsOrigins[i] == "*" || s.corsOrigins[i] == origin) return origin;
  }
  return null;
}

function includesIgnoringCase(list: string[], value: string): bool {
  const lower = value.toLowerCase();
  for (let i = 0; i < list.length; i++) if (list[i].toLowerCase() == lower) return true;
  return false;
}

/** Every header the preflight asks for is allowed (case-insensitive). */
function headersAllowed(s: Settings, requested: string): bool {
  const names = requested.split(",");
  for (let i = 0; i < names.length; i++) {
    const name = names[i].trim();
    if (name.length > 0 && !includesIgnoringCase(s.corsHeaders, name)) return false;
  }
  return true;
}

export function onRequest(): Verdict {
  const s = current();
  if (request.method() != "OPTIONS") return proceed();
  const asked = request.getHeader("access-control-request-method");
  if (asked === null || request.getHeader("origin") === null) return proceed();
  const origin = allowedOrigin(s);
  const requested = request.getHeader("access-control-request-headers");
  if (origin === null || !s.corsMethods.includes(asked) || (requested !== null && !headersAllowed(s, requested))) {
    return respond(403, ["content-type", "text/plain; charset=utf-8", "cache-control", "no-store", "vary", "origin"], "forbidden: CORS preflight not allowed\n");
  }
  const headers: string[] = [
    "access-control-allow-origin", origin!,
    "access-control-allow-methods", s.corsMethods.join(", "),
    "access-control-max-age", s.corsMaxAge.toString(),
    "vary", "origin",
  ];
  if (requested !== null && requested.length > 0) {
    headers.push("access-control-allow-headers");
    headers.push(requested);
  }
  if (s.corsCredentials) {
    headers.push("access-control-allow-credentials");
    headers.push("true");
  }
  return respond(204, headers, "");
}

function nonce(s: Settings): string {
  nonceCounter++;
  const seed = nonceCounter.toString() + ":" + monotonicNow().toString() + ":" + request.clientIp() + ":" + request.path();
  return base64urlEncode(crypto.hmacSha256(s.nonceKey, utf8(seed))).substring(0, 22);
}

function isHtml(): bool {
  const type = response.getHeader("content-type");
  return type !== null && type.toLowerCase().startsWith("text/html");
}

function setCsp(s: Settings): void {
  if (s.csp.length == 0) return;
  if (!s.csp.includes("{nonce}")) {
    response.setHeader("content-security-policy", s.csp);
    return;
  }
  const value = nonce(s);
  response.setHeader("content-security-policy", s.csp.replaceAll("{nonce}", value));
  if (!isHtml()) return;
  const body = response.body();
  if (body === null) return;
  const html = String.UTF8.decode(body);
  if (html.includes(s.noncePlaceholder)) response.setBody(utf8(html.replaceAll(s.noncePlaceholder, value)));
}

export function onResponse(): Verdict {
  const s = current();
  if (s.hsts.length > 0) response.setHeader("strict-transport-security", s.hsts);
  setCsp(s);
  if (s.contentTypeOptions) response.setHeader("x-content-type-options", "nosniff");
  if (s.referrerPolicy.length > 0) response.setHeader("referrer-policy", s.referrerPolicy);
  if (s.permissionsPolicy.length > 0) response.setHeader("permissions-policy", s.permissionsPolicy);
  response.removeHeader("server");
  response.removeHeader("x-powered-by");
  if (s.corsOrigins.length == 0) return proceed();
  // The answer differs by Origin: downstream caches must key on it (the stored copy here does not:
  // this phase runs per response, after the cache).
  const vary = response.getHeader("vary");
  if (vary === null || !vary.toLowerCase().includes("origin")) response.appendHeader("vary", "origin");
  const origin = allowedOrigin(s);
  if (origin === null) return proceed();
  response.setHeader("access-control-allow-origin", origin);
  if (s.corsCredentials) response.setHeader("access-control-allow-credentials", "true");
  if (s.corsExpose.length > 0) response.setHeader("access-control-expose-headers", s.corsExpose.join(", "));
  return proceed();
}
