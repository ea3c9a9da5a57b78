/**
 * `edgehook hook run`: one phase of a hook against a sample request, with no proxy. Prints the
 * verdict, the edits and the hook's log lines as JSON (and a failure once more on stderr, with the
 * author's stack); exits 1 when the hook failed. Geo is a real geoip-lite lookup of --client-ip
 * (or --geo's fields); --image feeds an image file's real attributes (sharp) to response.image().
 */
import { readFile } from 'node:fs/promises';
import { systemClock } from '../clock.ts';
import { createLogger } from '../log.ts';
import { PHASES } from '../hook-runtime/contract.ts';
import { loadGuest } from '../hook-runtime/guest-loader.ts';
import { validateHookConfig } from '../hook-runtime/hook-config.ts';
import { createLoadedHook } from '../hook-runtime/loaded-hook.ts';
import type { GeoAttributes, HookRequestState, HookResponseState, ImageAttributes, PhaseName, RequestAttributes } from '../pipeline/hook-seam.ts';
import { flag, HookUsageError, oneOf, type ParsedHookArgs } from './hook-flags.ts';
import { readRunSpec, toRequestState, toResponseState } from './hook-run-request.ts';
import { componentFor, type Out } from './hook-build-command.ts';

function snapshot(request: HookRequestState, response: HookResponseState | null): Record<string, unknown> {
  return {
    method: request.method, path: request.path, query: request.query, headers: request.headers.toPairs(),
    cacheKeyParts: [...request.cacheKeyParts], transform: request.transform,
    ...(response === null ? {} : {
      status: response.status, responseHeaders: response.headers.toPairs(), ttlSeconds: response.ttlSeconds,
      cacheable: response.cacheable, tags: [...response.tags], responseTransform: response.transform,
      ...(response.body === null ? {} : { responseBody: response.body.toString() }),
    }),
  };
}

function changes(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const diff: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) diff[key] = after[key];
  }
  return diff;
}

function parseConfigFlag(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  if (!text.startsWith('{') && !text.startsWith('[')) return { config: text };
  try {
    return { config: JSON.parse(text) as unknown };
  } catch (error) {
    throw new HookUsageError(`--config: not valid JSON (${(error as Error).message})`);
  }
}

export async function hookRun({ positional, flags }: ParsedHookArgs, out: Out, err: Out): Promise<number> {
  const module = positional[0];
  if (module === undefined) throw new HookUsageError('hook run needs a module (.wasm) or an entry (.ts, .as)');
  const phase: PhaseName = oneOf('phase', flag(flags, 'phase') ?? 'on-request', PHASES);
  const { value, errors } = validateHookConfig({
    name: 'local', module, phases: [phase], ...parseConfigFlag(flag(flags, 'config')),
    timeout_ms: Number(flag(flags, 'timeout-ms') ?? 1000), memory_mb: Number(flag(flags, 'memory-mb') ?? 16),
    body: { request: 1_048_576, response: 1_048_576 },
  }, 'hook');
  if (value === undefined) throw new HookUsageError(errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>) });
  const guest = await loadGuest(await componentFor(module, flags), value.memory_mb, { cacheDir: '.cache', clock: systemClock });
  if (!guest.phases.includes(phase)) { err(`${module} does not export ${phase} (exports: ${guest.phases.join(', ')})`); return 1; }
  const hook = await createLoadedHook(value, guest, { logger, clock: systemClock });
  const spec = await readRunSpec(flags);
  const request = toRequestState(spec, await lookUpAttributes(spec.clientIp, flag(flags, 'geo'), flag(flags, 'image'), hook.reads.geo));
  const response = phase === 'on-request' ? null : toResponseState(spec);
  const image = flag(flags, 'image');
  if (response !== null && image !== undefined && response.body === null) response.body = await readFile(image);
  const before = snapshot(request, response);
  const started = performance.now();
  const verdict = await hook.invoke(phase, request, response);
  const micros = Math.round((performance.now() - started) * 1000);
  const shown = verdict.tag === 'continue' ? verdict
    : { tag: 'respond', val: { ...verdict.val, body: verdict.val.body.toString('utf8') } };
  out(JSON.stringify({ phase, kind: guest.kind, micros, verdict: shown, edits: changes(before, snapshot(request, response)), logs }, null, 2));
  // The failure once more, for a person: message and the author's stack (guest-report.ts).
  for (const line of logs) {
    if (line['msg'] === 'hook failed') err(`${String(line['code'])}: ${String(line['error'])}${line['stack'] === undefined ? '' : `\n${String(line['stack'])}`}`);
  }
  return verdict.tag === 'respond' && verdict.val.headers.some(([n]) => n === 'x-edgehook-error') ? 1 : 0;
}

/** Geo: --geo's fields, else a real geoip-lite lookup (a request file's geo wins); image: the file's real attributes. */
async function lookUpAttributes(
  clientIp: string, geoFlag: string | undefined, imageFile: string | undefined, readsGeo: boolean,
): Promise<Pick<RequestAttributes, 'geo' | 'image'>> {
  let geo: GeoAttributes | undefined;
  if (!readsGeo) {
    // The hook never calls request.geo (its imports say so): no ~110 MB of geoip-lite data to load.
  } else if (geoFlag !== undefined) {
    try { geo = JSON.parse(geoFlag) as GeoAttributes; } catch (error) { throw new HookUsageError(`--geo: not valid JSON (${(error as Error).message})`); }
  } else {
    // Loaded here, not at startup: geoip-lite's data is ~110 MB and `hook new`/`--help` must stay instant.
    const { loadGeoipLite } = await import('../attributes/geo-database.ts');
    geo = loadGeoipLite(null).lookup(clientIp);
  }
  let image: ImageAttributes | undefined;
  if (imageFile !== undefined) {
    const { inspectImage } = await import('../attributes/image.ts');
    const inspection = await inspectImage(await readFile(imageFile), { maxBytes: 64 * 1_048_576, maxPixels: 100_000_000 });
    if (inspection.tag === 'absent') throw new HookUsageError(`--image ${imageFile}: no image attributes (${inspection.val})`);
    image = inspection.val;
  }
  return { geo: () => geo, image: () => image };
}
