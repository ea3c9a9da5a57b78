/**
 * Finds where a request head Node's parser has just parsed ends, in the buffer the parser is
 * reading (llhttp raises the request after the head's empty line, before it reads on). The
 * chunk-framing check uses it to start following a connection mid-stream, at the first chunked
 * request of a connection it did not follow from the start: the bytes after that point in the
 * buffer are the body's first chunk-size lines, which the parser has not read yet.
 *
 * The parser is strict (single spaces in the request line, CRLF line ends, no folding) and keeps
 * each field as sent apart from the whitespace around its value, so a head can be matched
 * exactly from the request's method, target, version and raw fields. Either the whole head is in
 * the buffer (the first place it matches is taken), or it began in an earlier read and the buffer
 * starts inside it: then the end is the buffer's first empty line, or — when the read split the
 * final CRLFCRLF — one to three bytes in, whichever leaves a start that is a true tail of the head.
 * Bytes a client crafts to look like its own head can at worst make the check miss (or refuse)
 * its own request; they cannot touch another connection.
 */

export interface ParsedHead {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  /** `[name, value, name, value, …]` as Node gives them (values without surrounding whitespace). */
  readonly rawHeaders: readonly string[];
}

const CRLF = '\r\n';
const END_OF_HEAD = '\r\n\r\n';

/** Offset in `buffer` just past the head's empty line, or null when the head is not there. */
export function findHeadEnd(buffer: Buffer, head: ParsedHead): number | null {
  const text = buffer.toString('latin1');
  const requestLine = `${head.method} ${head.url} HTTP/${head.httpVersion}${CRLF}`;
  for (let start = text.indexOf(requestLine); start !== -1; start = text.indexOf(requestLine, start + 1)) {
    const end = fieldsEnd(text, start + requestLine.length, head.rawHeaders);
    if (end !== -1) return end;
  }
  return tailEnd(text, requestLine, head.rawHeaders);
}

/** Matches the field lines and the empty line from `at`; returns the offset after them or -1. */
function fieldsEnd(text: string, at: number, raw: readonly string[]): number {
  let i = at;
  for (let k = 0; k + 1 < raw.length; k += 2) {
    const name = raw[k]!;
    if (!text.startsWith(`${name}:`, i)) return -1;
    i = skipSpace(text, i + name.length + 1);
    if (!text.startsWith(raw[k + 1]!, i)) return -1;
    i = skipSpace(text, i + raw[k + 1]!.length);
    if (!text.startsWith(CRLF, i)) return -1;
    i += 2;
  }
  return text.startsWith(CRLF, i) ? i + 2 : -1;
}

function skipSpace(text: string, at: number): number {
  let i = at;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

/** The buffer starts inside the head: the candidates for its end, longest first. */
function tailEnd(text: string, requestLine: string, raw: readonly string[]): number | null {
  const candidates: number[] = [];
  const empty = text.indexOf(END_OF_HEAD);
  if (empty !== -1) candidates.push(empty + END_OF_HEAD.length);
  for (const split of [3, 2, 1]) {
    if (text.length >= split && END_OF_HEAD.endsWith(text.slice(0, split))) candidates.push(split);
  }
  for (const end of candidates) {
    if (isHeadTail(text.slice(0, end), requestLine, raw)) return end;
  }
  return null;
}

/** Whether `tail` is the end of some spelling of this head (its lines matched from the last one back). */
function isHeadTail(tail: string, requestLine: string, raw: readonly string[]): boolean {
  const lines = tail.split(CRLF);
  // `tail` ends with CRLFCRLF (or a piece of it): the two last entries are the empty line's.
  if (lines.length < 3) return END_OF_HEAD.endsWith(tail);
  let fieldIndex = raw.length - 2;
  for (let i = lines.length - 3; i >= 0; i--) {
    const line = lines[i]!;
    const partial = i === 0;
    if (fieldIndex < 0) return partial ? isLineTail(line, requestLine.slice(0, -2)) : false;
    if (!(partial ? isFieldTail(line, raw[fieldIndex]!, raw[fieldIndex + 1]!) : isField(line, raw[fieldIndex]!, raw[fieldIndex + 1]!))) return false;
    fieldIndex -= 2;
  }
  return true;
}

function isField(line: string, name: string, value: string): boolean {
  if (!line.startsWith(`${name}:`)) return false;
  return line.slice(name.length + 1).replace(/^[ \t]+|[ \t]+$/g, '') === value;
}

/** A field line's last bytes: part of its value, its whitespace, or its name too. A lone LF ended a split CRLF. */
function isFieldTail(piece: string, name: string, value: string): boolean {
  const text = piece.startsWith('\n') ? piece.slice(1) : piece;
  const trimmed = text.replace(/[ \t]+$/, '');
  if (value.endsWith(trimmed)) return true;
  if (!trimmed.endsWith(value)) return false;
  const before = trimmed.slice(0, trimmed.length - value.length);
  const colon = before.lastIndexOf(':');
  if (colon === -1) return /^[ \t]*$/.test(before);
  return /^[ \t]*$/.test(before.slice(colon + 1)) && name.endsWith(before.slice(0, colon));
}

function isLineTail(piece: string, line: string): boolean {
  const text = piece.startsWith('\n') ? piece.slice(1) : piece;
  return line.endsWith(text);
}
