/**
 * Route predicates compiled once per hook: host (exact or `*.domain`, port ignored), path glob
 * (`*` within a segment, `**` across segments) and methods.
 */
import type { HookRoute } from './hook-config.ts';

export type RouteTest = (method: string, host: string, path: string) => boolean;

export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') { source += '.*'; i++; }
    else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Host without port, lower-cased; IPv6 literals keep their brackets. */
export function hostOf(authority: string): string {
  const lower = authority.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1);
  const colon = lower.indexOf(':');
  return colon === -1 ? lower : lower.slice(0, colon);
}

function compileRoute(route: HookRoute): RouteTest {
  const host = route.host;
  const suffix = host?.startsWith('*.') ? host.slice(1) : undefined;
  const path = route.path === undefined ? undefined : globToRegExp(route.path);
  const methods = route.methods === undefined ? undefined : new Set(route.methods);
  return (method, requestHost, requestPath) =>
    (host === undefined || (suffix !== undefined ? requestHost.endsWith(suffix) : requestHost === host))
    && (path === undefined || path.test(requestPath))
    && (methods === undefined || methods.has(method));
}

/** True when any of the routes matches (a hook with no routes matches everything). */
export function compileRoutes(routes: readonly HookRoute[]): RouteTest {
  if (routes.length === 0) return () => true;
  const tests = routes.map(compileRoute);
  return (method, host, path) => tests.some((test) => test(method, host, path));
}
