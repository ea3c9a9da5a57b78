/**
 * What a parent's answer says about the parent itself. A 5xx from a parent is either the parent
 * failing (overloaded, shutting down, broken: fail over, and count it towards ejection) or the
 * origin's answer relayed (the next parent would relay the same: pass it on, the parent is fine).
 * The parent's own Cache-Status entry (RFC 9211 §2), the last member of the field, tells which:
 * `fwd-status` means it forwarded and this is what came back (§2.5), and a `detail` naming an
 * EH_ORIGIN_* error means the origin failed behind it. A 5xx without either is the parent's own.
 * 508 Loop Detected (RFC 5842 §7.2) is how an edgehook answers a request whose CDN-Loop names it:
 * the parent is this request's way back round a loop, so it is skipped, not blamed.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type ParentAnswer = 'ok' | 'loop' | 'parent-fault';

export function classifyParentAnswer(status: number, headers: IncomingHttpHeaders): ParentAnswer {
  if (status === 508) return 'loop';
  if (status < 500) return 'ok';
  const field = headers['cache-status'];
  if (field === undefined) return 'parent-fault';
  const params = memberParameters(lastMember(Array.isArray(field) ? field.join(', ') : field));
  if (params.has('fwd-status')) return 'ok';
  return params.get('detail')?.startsWith('EH_ORIGIN_') === true ? 'ok' : 'parent-fault';
}

/** The text after the last comma outside a quoted string: the member the nearest cache appended. */
export function lastMember(value: string): string {
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') start = i + 1;
  }
  return value.slice(start).trim();
}

/** `name; a; b=1; c="x;y"` → {a: '', b: '1', c: 'x;y'}: parameter names to their unquoted values. */
export function memberParameters(member: string): Map<string, string> {
  const params = new Map<string, string>();
  const parts = splitOutsideQuotes(member, ';');
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim();
    const raw = eq === -1 ? '' : part.slice(eq + 1).trim();
    params.set(name, raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw);
  }
  return params;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}
