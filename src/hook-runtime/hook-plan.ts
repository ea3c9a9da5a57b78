/**
 * A frozen HookPlan over a set of loaded hooks. select() tests each hook's compiled routes and
 * returns the RouteHooks for the set of matching hooks; RouteHooks are built once per distinct
 * set (memoised, bounded by the number of hook combinations actually seen) so the hot path does
 * not allocate chains per request.
 */
import type { BodyReaderHook, HookPlan, RouteHooks } from '../pipeline/hook-seam.ts';
import type { LoadedHook } from './loaded-hook.ts';
import { requestChain, responseChain } from './phase-chain.ts';
import { compileRoutes, hostOf, type RouteTest } from './route-matcher.ts';

const MAX_MEMO = 1024;

function buildRouteHooks(hooks: readonly LoadedHook[]): RouteHooks {
  const bound = (phase: 'on-request' | 'on-origin-response' | 'on-response') =>
    hooks.filter((hook) => hook.config.phases.includes(phase));
  return Object.freeze({
    onRequest: requestChain(bound('on-request')),
    onOriginResponse: responseChain('on-origin-response', bound('on-origin-response')),
    onResponse: responseChain('on-response', bound('on-response')),
    requestBodyBytes: Math.max(0, ...hooks.map((h) => h.config.body.request ?? 0)),
    responseBodyBytes: Math.max(0, ...hooks.map((h) => h.config.body.response ?? 0)),
    requestBodyReaders: bodyReaders(hooks, 'request'),
    responseBodyReaders: bodyReaders(hooks, 'response'),
    // From the components' imports at load: a route whose hooks cannot read geo or image attributes never pays for them.
    readsGeo: hooks.some((h) => h.reads.geo),
    readsImage: hooks.some((h) => h.reads.image),
    hookNames: Object.freeze(hooks.map((h) => h.name)),
  });
}

function bodyReaders(hooks: readonly LoadedHook[], direction: 'request' | 'response'): readonly BodyReaderHook[] {
  return Object.freeze(hooks.filter((h) => (h.config.body[direction] ?? 0) > 0).map((h) => Object.freeze({
    name: h.name, phases: h.config.phases, maxBytes: h.config.body[direction]!, overflow: h.config.body.overflow ?? 'error',
  })));
}

export function createFrozenPlan(hooks: readonly LoadedHook[]): HookPlan {
  const tests: RouteTest[] = hooks.map((hook) => compileRoutes(hook.config.routes));
  const memo = new Map<string, RouteHooks>();
  return Object.freeze({
    select(method: string, authority: string, path: string): RouteHooks | null {
      const host = hostOf(authority);
      let key = '';
      const matched: LoadedHook[] = [];
      for (let i = 0; i < hooks.length; i++) {
        if (tests[i]!(method, host, path)) {
          key += `${i},`;
          matched.push(hooks[i]!);
        }
      }
      if (matched.length === 0) return null;
      let routeHooks = memo.get(key);
      if (routeHooks === undefined) {
        routeHooks = buildRouteHooks(matched);
        if (memo.size < MAX_MEMO) memo.set(key, routeHooks);
      }
      return routeHooks;
    },
  });
}
