/**
 * The CDN-Loop request field (RFC 8586): every CDN a request passes through appends its cdn-id, so
 * a node that finds its own id there is seeing a request it already forwarded — a loop (an origin
 * or a DNS name pointing back at the CDN) that would otherwise go round until something breaks.
 *
 *   CDN-Loop  = #cdn-info
 *   cdn-info  = cdn-id *( OWS ";" OWS parameter )
 *   cdn-id    = ( uri-host [ ":" port ] ) / pseudonym
 *   parameter = token "=" ( token / quoted-string )
 *
 * Commas inside a quoted parameter value do not separate members. Empty list members are
 * accepted (RFC 9110 §5.6.1). A value that does not parse is reported as such: appending our id
 * to it could leave the id inside an unterminated quoted string, where the next hop (maybe this
 * node again) would not see it, so the caller refuses it rather than guess.
 */

/** The cdn-id characters: token characters, plus the brackets and colons of `[v6]:port` and `host:port`. */
const CDN_ID_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:[\]]/;
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/** How many members of `value` carry `cdnId` (compared exactly); null when `value` is not a CDN-Loop list. */
export function countCdnLoop(value: string, cdnId: string): number | null {
  let count = 0;
  let at = 0;
  while (at <= value.length) {
    at = skipSpace(value, at);
    if (at === value.length) break;
    if (value[at] === ',') {
      at++;
      continue;
    }
    const idStart = at;
    while (at < value.length && CDN_ID_CHAR.test(value[at]!)) at++;
    if (at === idStart) return null;
    if (value.slice(idStart, at) === cdnId) count++;
    at = skipParameters(value, at);
    if (at === -1) return null;
    if (at < value.length) at++; // the ',' that ended this member
  }
  return count;
}

/** `*( OWS ";" OWS parameter )` then OWS; returns where the member's ',' (or the end) is, or -1. */
function skipParameters(value: string, from: number): number {
  let at = skipSpace(value, from);
  while (value[at] === ';') {
    at = skipToken(value, skipSpace(value, at + 1));
    if (at === -1 || value[at] !== '=') return -1;
    at = value[at + 1] === '"' ? skipQuoted(value, at + 1) : skipToken(value, at + 1);
    if (at === -1) return -1;
    at = skipSpace(value, at);
  }
  return at === value.length || value[at] === ',' ? at : -1;
}

function skipToken(value: string, from: number): number {
  let at = from;
  while (at < value.length && TOKEN_CHAR.test(value[at]!)) at++;
  return at === from ? -1 : at;
}

/** A quoted-string from its opening quote; returns the offset after the closing quote, or -1. */
function skipQuoted(value: string, from: number): number {
  for (let at = from + 1; at < value.length; at++) {
    const c = value[at];
    if (c === '"') return at + 1;
    if (c === '\\') at++;
  }
  return -1;
}

function skipSpace(value: string, from: number): number {
  let at = from;
  while (value[at] === ' ' || value[at] === '\t') at++;
  return at;
}
