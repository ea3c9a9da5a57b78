/**
 * geo-rules (on-request + on-response), the TypeScript build of hook.as: same config, same answers
 * (one test table runs against both). Blocks countries with 451 naming the rule, redirects chosen
 * countries to a regional host, tells the origin X-Client-Country / -Region / -Geo-Group (client
 * copies removed first), keys the cache by country group, and tells the client its group.
 */
import { get as getConfig } from 'edgehook:hooks/config@0.1.0';
import * as request from 'edgehook:hooks/request@0.1.0';
import * as response from 'edgehook:hooks/response@0.1.0';
import type { GeoAttributes, Verdict } from 'edgehook:hooks/types@0.1.0';
import { utf8 } from '../shared/bytes.ts';
import { settingsOnce } from '../shared/settings.ts';

interface Rule { readonly name: string; readonly countries: string[]; readonly host: string; readonly status: number }
interface Settings {
  readonly block: Rule[]; readonly redirect: Rule[]; readonly groups: [string, string[]][];
  readonly defaultGroup: string; readonly redirectScheme: string; readonly responseHeader: string;
}

// Parsed once per instance: the config is the same for every request (wit/README.md §7).

const str = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

function rules(raw: unknown, key: string, redirect: boolean): Rule[] | string {
  const out: Rule[] = [];
  for (const [i, item] of (Array.isArray(raw) ? raw as Record<string, unknown>[] : []).entries()) {
    const rule = { name: str(item.name, `${key}[${i}]`), countries: strings(item.countries), host: str(item.host, ''), status: typeof item.status === 'number' ? item.status : 302 };
    if (redirect && rule.host === '') return `config.${key}[${i}].host is missing`;
    if (redirect && ![301, 302, 307, 308].includes(rule.status)) return `config.${key}[${i}].status must be 301, 302, 307 or 308`;
    out.push(rule);
  }
  return out;
}

function loadSettings(): Settings | string {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(getConfig()) as Record<string, unknown>;
  } catch {
    return 'config is not a JSON object';
  }
  const block = rules(raw.block, 'block', false);
  const redirect = rules(raw.redirect, 'redirect', true);
  if (typeof block === 'string') return block;
  if (typeof redirect === 'string') return redirect;
  const groups = typeof raw.groups === 'object' && raw.groups !== null ? Object.entries(raw.groups).map(([name, list]) => [name, strings(list)] as [string, string[]]) : [];
  return {
    block, redirect, groups, defaultGroup: str(raw.default_group, 'other'),
    redirectScheme: str(raw.redirect_scheme, 'https'), responseHeader: str(raw.response_header, 'x-geo-group'),
  };
}

const current = settingsOnce('geo-rules', loadSettings);

/** The first `groups` entry listing the country; with no `groups`, eu / non-eu by the data's EU flag. */
function groupOf(s: Settings, geo: GeoAttributes | null | undefined, country: string): string {
  if (country === '') return s.defaultGroup;
  if (s.groups.length === 0) return geo?.eu === true ? 'eu' : geo?.eu === false ? 'non-eu' : s.defaultGroup;
  return s.groups.find(([, list]) => list.includes(country))?.[0] ?? s.defaultGroup;
}

const matching = (list: Rule[], country: string): Rule | undefined => (country === '' ? undefined : list.find((r) => r.countries.includes(country)));

export const onRequest = {
  handle(): Verdict {
    const s = current();
    const geo = request.geo();
    const country = geo?.country ?? '';
    const blocked = matching(s.block, country);
    if (blocked !== undefined) {
      const headers: [string, string][] = [['content-type', 'text/plain; charset=utf-8'], ['cache-control', 'no-store']];
      return { tag: 'respond', val: { status: 451, headers, body: utf8(`unavailable for legal reasons: rule ${blocked.name}\n`) } };
    }
    const moved = matching(s.redirect, country);
    if (moved !== undefined) {
      const query = request.query();
      const location = `${s.redirectScheme}://${moved.host}${request.path()}${query === '' ? '' : `?${query}`}`;
      return { tag: 'respond', val: { status: moved.status, headers: [['location', location], ['cache-control', 'no-store']], body: new Uint8Array(0) } };
    }
    for (const name of ['x-client-country', 'x-client-region', 'x-client-geo-group']) request.removeHeader(name);
    const group = groupOf(s, geo, country);
    if (country !== '') request.setHeader('x-client-country', country);
    if (geo?.region != null) request.setHeader('x-client-region', geo.region);
    request.setHeader('x-client-geo-group', group);
    request.addCacheKeyPart(`geo-group:${group}`);
    return { tag: 'continue' };
  },
};

export const onResponse = {
  handle(): Verdict {
    const s = current();
    if (s.responseHeader === '') return { tag: 'continue' };
    const geo = request.geo();
    response.setHeader(s.responseHeader, groupOf(s, geo, geo?.country ?? ''));
    return { tag: 'continue' };
  },
};
