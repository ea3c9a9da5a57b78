/**
 * Checks every request head before anything else sees it. Node's parser accepts several shapes
 * that a proxy must refuse because an origin or another hop may frame them differently
 * (request smuggling), and it truncates excess headers silently; these checks close those gaps.
 * It also refuses a request that has come round a loop back to this node (CDN-Loop, RFC 8586),
 * drops (or refuses) header names with underscores (underscore-fields.ts), and returns the path
 * in the one form hook routes, the cache key and the origin all use (http/path-form.ts).
 * Each failure is an EdgehookError whose status the client gets, with nothing cached.
 */
import type { IncomingMessage } from 'node:http';
import { EdgehookError } from '../errors.ts';
import { countCdnLoop } from '../http/cdn-loop.ts';
import { canonicalPath, type PathFormRules } from '../http/path-form.ts';
import { applyUnderscoreRule, type UnderscoreRule } from './underscore-fields.ts';

export interface RequestLimits {
  readonly maxHeaders: number;
  readonly maxUriBytes: number;
  readonly maxBodyBytes: number | null;
}

/** What the guard enforces beyond limits and framing (from config.proxy, frozen at startup). */
export interface RequestRules {
  readonly cdnLoop: CdnLoopRule;
  readonly headersWithUnderscores: UnderscoreRule;
  readonly paths: PathFormRules;
}

export interface CdnLoopRule {
  readonly cdnId: string;
  /** More occurrences of cdnId in CDN-Loop than this is a loop. */
  readonly maxAllowedOccurrences: number;
}

export interface GuardedTarget {
  /** Origin-form path (no query), in the one form routes, cache key and origin share (http/path-form.ts). */
  readonly path: string;
  /** Query without '?', '' when none. */
  readonly query: string;
  /** The Host the request is for (lowercase). */
  readonly authority: string;
}

const FRAMING_FIELDS = new Set(['content-length', 'transfer-encoding', 'host']);

/** Returns the parsed target, or throws an EdgehookError naming what is wrong. */
export function guardRequest(req: IncomingMessage, limits: RequestLimits, rules: RequestRules): GuardedTarget {
  const url = req.url ?? '';
  if (url.length > limits.maxUriBytes) throw new EdgehookError('EH_URI_TOO_LONG', 'request target too long');
  const raw = req.rawHeaders;
  // The server keeps one header past the limit so that exceeding it is visible here, not silently cut.
  if (raw.length / 2 > limits.maxHeaders) throw new EdgehookError('EH_HEADER_TOO_LARGE', 'too many header fields');
  const underscored = checkFraming(req, raw);
  checkBodyLimit(req, limits.maxBodyBytes);
  if (underscored) applyUnderscoreRule(req, rules.headersWithUnderscores);
  const target = parseTarget(url, req.headers.host);
  const form = canonicalPath(target.path, rules.paths);
  if (!form.ok) throw new EdgehookError('EH_BAD_PATH', `refused request path: ${form.reason}`);
  const cdnLoop = req.headers['cdn-loop'];
  if (cdnLoop !== undefined) checkCdnLoop(Array.isArray(cdnLoop) ? cdnLoop.join(', ') : cdnLoop, rules.cdnLoop);
  return { ...target, path: form.path };
}

/** Node joins repeated CDN-Loop lines with ", ", which is how the list reads (RFC 9110 §5.3). */
function checkCdnLoop(value: string, rule: CdnLoopRule): void {
  const seen = countCdnLoop(value, rule.cdnId);
  if (seen === null) throw new EdgehookError('EH_BAD_REQUEST', 'invalid CDN-Loop header');
  if (seen > rule.maxAllowedOccurrences) {
    throw new EdgehookError('EH_LOOP_DETECTED', `request loop: CDN-Loop already names ${rule.cdnId} ${seen} time${seen === 1 ? '' : 's'}`);
  }
}

/** Throws for a shape another hop may frame differently; returns whether a field name has an underscore. */
function checkFraming(req: IncomingMessage, raw: readonly string[]): boolean {
  let hosts = 0;
  let contentLengths = 0;
  // Found on this one walk over the names, so requests without such names pay nothing more.
  let underscored = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === 'host') hosts++;
    else if (name === 'content-length') contentLengths++;
    else if (!underscored && name.includes('_')) underscored = true;
  }
  if (hosts > 1) smuggling('more than one Host header');
  if (contentLengths > 1) smuggling('more than one Content-Length header');
  const te = req.headers['transfer-encoding'];
  if (te !== undefined) {
    if (req.httpVersionMajor === 1 && req.httpVersionMinor === 0) smuggling('Transfer-Encoding on HTTP/1.0');
    if (req.headers['content-length'] !== undefined) smuggling('both Content-Length and Transfer-Encoding');
    if (te.trim().toLowerCase() !== 'chunked') smuggling('Transfer-Encoding other than chunked');
  }
  const connection = req.headers.connection;
  if (connection !== undefined) {
    for (const token of connection.split(',')) {
      if (FRAMING_FIELDS.has(token.trim().toLowerCase())) smuggling(`Connection names ${token.trim()}`);
    }
  }
  if ((req.method === 'GET' || req.method === 'HEAD') && hasBody(req)) {
    smuggling(`${req.method} with a body`);
  }
  return underscored;
}

function hasBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}

function checkBodyLimit(req: IncomingMessage, maxBodyBytes: number | null): void {
  if (maxBodyBytes === null) return;
  const length = req.headers['content-length'];
  if (length !== undefined && Number(length) > maxBodyBytes) {
    throw new EdgehookError('EH_BODY_TOO_LARGE', `request body larger than ${maxBodyBytes} bytes`);
  }
}

function parseTarget(url: string, host: string | undefined): GuardedTarget {
  if (host === undefined || host === '') throw new EdgehookError('EH_BAD_REQUEST', 'missing Host header');
  const authority = host.toLowerCase();
  if (!/^[a-z0-9.\-_~%!$&'()*+,;=]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(authority)) {
    throw new EdgehookError('EH_BAD_REQUEST', 'invalid Host header');
  }
  if (url.startsWith('/')) return splitTarget(url, authority);
  if (/^https?:\/\//i.test(url)) return absoluteTarget(url, authority);
  throw new EdgehookError('EH_BAD_REQUEST', 'request target must be origin-form');
}

/** Absolute-form is accepted only for this node's own Host; anything else is a proxy request we refuse. */
function absoluteTarget(url: string, authority: string): GuardedTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EdgehookError('EH_BAD_REQUEST', 'invalid request target');
  }
  if (parsed.host.toLowerCase() !== authority) smuggling('absolute-form target for another host');
  // The target as sent after the authority (encoding kept); `http://h?q` has an empty path, which is `/`.
  const afterAuthority = url.slice(url.indexOf('//') + 2);
  const end = afterAuthority.search(/[/?#]/);
  const rest = end === -1 ? '' : afterAuthority.slice(end);
  return splitTarget(rest.startsWith('/') ? rest : `/${rest}`, authority);
}

function splitTarget(target: string, authority: string): GuardedTarget {
  if (/[\s\u0000-\u001f\u007f]/.test(target)) throw new EdgehookError('EH_BAD_REQUEST', 'invalid characters in request target');
  const hashless = target.includes('#') ? target.slice(0, target.indexOf('#')) : target;
  const q = hashless.indexOf('?');
  return q === -1
    ? { path: hashless, query: '', authority }
    : { path: hashless.slice(0, q), query: hashless.slice(q + 1), authority };
}

function smuggling(what: string): never {
  throw new EdgehookError('EH_REQUEST_SMUGGLING', `rejected ambiguous request: ${what}`);
}
