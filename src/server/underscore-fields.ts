/**
 * Request header names with an underscore (proxy.headers_with_underscores). HTTP allows them, but
 * CGI-style gateways map names to HTTP_* variables with '-' read as '_', so X_Forwarded_For and
 * X-Forwarded-For become one variable and a client can stand in for a field a proxy vouches for.
 * nginx drops such fields by default (underscores_in_headers off), Envoy can drop or refuse them
 * (headers_with_underscores_action); so does this, before anything reads the request: hooks, Vary,
 * the cache key and the origin see the request as if the client had never sent them.
 */
import type { IncomingMessage } from 'node:http';
import { EdgehookError } from '../errors.ts';

export type UnderscoreRule = 'drop' | 'reject' | 'allow';

/** Called only when the guard saw a name with '_' (the common request pays nothing). */
export function applyUnderscoreRule(req: IncomingMessage, rule: UnderscoreRule): void {
  if (rule === 'allow') return;
  const raw = req.rawHeaders;
  if (rule === 'reject') {
    const name = raw.find((field, i) => i % 2 === 0 && field.includes('_'));
    throw new EdgehookError('EH_BAD_HEADER_NAME', `header name with an underscore refused: ${name ?? ''}`);
  }
  const kept: string[] = [];
  const dropped = new Set<string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.includes('_')) dropped.add(raw[i]!.toLowerCase());
    else kept.push(raw[i]!, raw[i + 1]!);
  }
  // rawHeaders first: req.headers is built from it on first read, and may have been read already
  // (the Upgrade check reads it), so the dropped names are also taken out of it.
  req.rawHeaders = kept;
  const headers = req.headers;
  for (const name of dropped) delete headers[name];
}
