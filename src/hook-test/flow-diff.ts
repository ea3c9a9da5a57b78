/**
 * Compares what a flow case expected with what the node did, one readable line per difference
 * (`header x-hello: expected "a", got absent`). Only what the case names is compared: a case
 * that says nothing about tags passes whatever the tags are.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { CachedObjectMeta } from '../cache/types.ts';
import type { ExpectedHeaders, FlowCase } from './flow-case.ts';

export interface FlowObservation {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** What the node stored for the request (the last put), or null. */
  readonly stored: CachedObjectMeta | null;
  readonly originRequest: { method: string; path: string; headers: IncomingHttpHeaders; body: string } | null;
  /** The structured log lines of the hook under test (its own and the runtime's about it). */
  readonly hookLogs: ReadonlyArray<Record<string, unknown>>;
}

const show = (value: string | undefined): string => (value === undefined ? 'absent' : JSON.stringify(value.length > 300 ? `${value.slice(0, 300)}…` : value));

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function compareHeaders(what: string, expected: ExpectedHeaders, actual: IncomingHttpHeaders, out: string[]): void {
  for (const [name, want] of Object.entries(expected)) {
    const got = headerValue(actual, name);
    if ((want === null && got !== undefined) || (want !== null && got !== want)) {
      out.push(`${what} ${name}: expected ${want === null ? 'absent' : show(want)}, got ${show(got)}`);
    }
  }
}

export function compareFlow(expect: FlowCase['expect'], seen: FlowObservation): string[] {
  const out: string[] = [];
  if (expect.status !== undefined && expect.status !== seen.status) out.push(`status: expected ${expect.status}, got ${seen.status}`);
  if (expect.headers !== undefined) compareHeaders('header', expect.headers, seen.headers, out);
  if (expect.body !== undefined && expect.body !== seen.body) out.push(`body: expected ${show(expect.body)}, got ${show(seen.body)}`);
  if (expect.stored !== undefined && expect.stored !== (seen.stored !== null)) {
    out.push(`stored: expected ${expect.stored ? 'stored' : 'not stored'}, got ${seen.stored === null ? 'not stored' : 'stored'}`);
  }
  if (expect.ttl !== undefined) {
    const ttl = seen.stored?.policy.lifetimeSeconds;
    if (ttl !== expect.ttl) out.push(`ttl: expected ${expect.ttl} s, got ${ttl === undefined ? 'not stored' : `${ttl} s`}`);
  }
  if (expect.tags !== undefined) {
    const tags = seen.stored?.tags ?? [];
    if (JSON.stringify([...tags].sort()) !== JSON.stringify([...expect.tags].sort())) {
      out.push(`tags: expected ${JSON.stringify(expect.tags)}, got ${seen.stored === null ? 'not stored' : JSON.stringify(tags)}`);
    }
  }
  if (expect.originRequest === null && seen.originRequest !== null) out.push(`origin: expected not reached, got ${seen.originRequest.method} ${seen.originRequest.path}`);
  if (expect.originRequest != null) {
    const o = expect.originRequest;
    const got = seen.originRequest;
    if (got === null) out.push('origin: expected a request, got none');
    else {
      if (o.method !== undefined && o.method.toUpperCase() !== got.method) out.push(`origin method: expected ${o.method}, got ${got.method}`);
      if (o.path !== undefined && o.path !== got.path) out.push(`origin path: expected ${show(o.path)}, got ${show(got.path)}`);
      if (o.headers !== undefined) compareHeaders('origin header', o.headers, got.headers, out);
      if (o.body !== undefined && o.body !== got.body) out.push(`origin body: expected ${show(o.body)}, got ${show(got.body)}`);
    }
  }
  for (const text of expect.logs ?? []) {
    if (!seen.hookLogs.some((line) => String(line['msg']).includes(text))) {
      out.push(`logs: expected a line containing ${show(text)}, got ${JSON.stringify(seen.hookLogs.map((line) => line['msg']))}`);
    }
  }
  // A hook failure explains most differences: show it with the author's stack.
  const failure = seen.hookLogs.find((line) => line['msg'] === 'hook failed');
  if (out.length > 0 && failure !== undefined) {
    out.push(`the hook failed: ${String(failure['code'])} ${String(failure['error'])}${failure['stack'] === undefined ? '' : `\n${String(failure['stack'])}`}`);
  }
  return out;
}
