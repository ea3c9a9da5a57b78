// geo-rules (on-request + on-response): what a site does by the client's country.
//
// on-request, in order:
//   1. block: a country listed in a `block` rule is answered 451 (RFC 7725) naming the rule;
//   2. redirect: a country listed in a `redirect` rule is sent to that rule's regional host
//      (same path and query), with `status` (default 302);
//   3. otherwise the request goes on with X-Client-Country, X-Client-Region and
//      X-Client-Geo-Group for the origin (client-sent copies are removed first, so they cannot be
//      forged), and the cache key gets the country *group*: EU and non-EU variants never mix, and
//      one object is stored per group, not per country.
// on-response: the client gets the group in `response_header` (default x-geo-group).
//
// The client IP is edgehook's (behind `proxy.trusted_proxies` it comes from X-Forwarded-For).
// Countries come from `request.geo()`: importing it makes the node load the geo data.
import { GeoAttributes, Json, LogLevel, Verdict, config, log, proceed, request, respond, response } from "./edgehook";

class Rule {
  name: string = "";
  countries: string[] = [];
  host: string = "";
  status: u16 = 302;
}

class Settings {
  block: Rule[] = [];
  redirect: Rule[] = [];
  groupNames: string[] = [];
  groupCountries: string[][] = [];
  defaultGroup: string = "other";
  redirectScheme: string = "https";
  responseHeader: string = "x-geo-group";
  error: string = "";
}

// Parsed once per instance: the config is the same for every request (wit/README.md §7).
let settings: Settings | null = null;

function rules(json: Json, key: string, s: Settings, redirect: bool): Rule[] {
  const out = new Array<Rule>();
  const list = json.get(key);
  if (list === null) return out;
  for (let i = 0; i < list.items.length; i++) {
    const item = list.items[i];
    const r = new Rule();
    const name = item.getString("name");
    r.name = name === null ? key + "[" + i.toString() + "]" : name;
    r.countries = item.getStrings("countries");
    if (redirect) {
      const host = item.getString("host");
      if (host === null || host.length == 0) s.error = "config." + key + "[" + i.toString() + "].host is missing";
      else r.host = host;
      const status = item.getNumber("status");
      if (!isNaN(status)) r.status = <u16>status;
      if (r.status != 301 && r.status != 302 && r.status != 307 && r.status != 308) s.error = "config." + key + "[" + i.toString() + "].status must be 301, 302, 307 or 308";
    }
    out.push(r);
  }
  return out;
}

function loadSettings(): Settings {
  const s = new Settings();
  const json = Json.parse(config());
  if (json === null) {
    s.error = "config is not a JSON object";
    return s;
  }
  s.block = rules(json, "block", s, false);
  s.redirect = rules(json, "redirect", s, true);
  const groups = json.get("groups");
  if (groups !== null) {
    for (let i = 0; i < groups.keys.length; i++) {
      s.groupNames.push(groups.keys[i]);
      s.groupCountries.push(groups.getStrings(groups.keys[i]));
    }
  }
  const fallback = json.getString("default_group");
  if (fallback !== null) s.defaultGroup = fallback;
  const scheme = json.getString("redirect_scheme");
  if (scheme !== null) s.redirectScheme = scheme;
  const header = json.getString("response_header");
  if (header !== null) s.responseHeader = header;
  return s;
}

function current(): Settings {
  if (settings === null) settings = loadSettings();
  const s = settings!;
  if (s.error.length > 0) {
    // Fail closed and loud: the trap makes the host answer 503 naming this hook, with a log line.
    log(LogLevel.Error, "geo-rules: " + s.error);
    unreachable();
  }
  return s;
}

function countryOf(geo: GeoAttributes | null): string {
  if (geo === null) return "";
  const country = geo.country;
  return country === null ? "" : country;
}

/** The client's group: the first `groups` entry listing its country; with no `groups`, eu / non-eu by the data's EU flag. */
function groupOf(s: Settings, geo: GeoAttributes | null, country: string): string {
  if (country.length == 0) return s.defaultGroup;
  if (s.groupNames.length == 0) return geo!.eu == 1 ? "eu" : geo!.eu == 0 ? "non-eu" : s.defaultGroup;
  for (let i = 0; i < s.groupNames.length; i++) if (s.groupCountries[i].includes(country)) return s.groupNames[i];
  return s.defaultGroup;
}

function matching(list: Rule[], country: string): Rule | null {
  if (country.length == 0) return null;
  for (let i = 0; i < list.length; i++) if (list[i].countries.includes(country)) return list[i];
  return null;
}

export function onRequest(): Verdict {
  const s = current();
  const geo = request.geo();
  const country = countryOf(geo);
  const blocked = matching(s.block, country);
  if (blocked !== null) {
    return respond(451, ["content-type", "text/plain; charset=utf-8", "cache-control", "no-store"],
      "unavailable for legal reasons: rule " + blocked.name + "\n");
  }
  const moved = matching(s.redirect, country);
  if (moved !== null) {
    const query = request.query();
    const location = s.redirectScheme + "://" + moved.host + request.path() + (query.length > 0 ? "?" + query : "");
    return respond(moved.status, ["location", location, "cache-control", "no-store"], "");
  }
  request.removeHeader("x-client-country");
  request.removeHeader("x-client-region");
  request.removeHeader("x-client-geo-group");
  const group = groupOf(s, geo, country);
  if (country.length > 0) request.setHeader("x-client-country", country);
  if (geo !== null && geo.region !== null) request.setHeader("x-client-region", geo.region!);
  request.setHeader("x-client-geo-group", group);
  request.addCacheKeyPart("geo-group:" + group);
  return proceed();
}

export function onResponse(): Verdict {
  const s = current();
  if (s.responseHeader.length == 0) return proceed();
  const geo = request.geo();
  response.setHeader(s.responseHeader, groupOf(s, geo, countryOf(geo)));
  return proceed();
}
