import { describe, expect, it } from 'vitest';
import { findHeadEnd, type ParsedHead } from '../../../src/server/head-locator.ts';

/** The head as Node's parser reports it for HEAD_BYTES (values without their surrounding whitespace). */
const PARSED: ParsedHead = {
  method: 'POST',
  url: '/upload?x=1',
  httpVersion: '1.1',
  rawHeaders: ['Host', '127.0.0.1:8080', 'X-Spaced', 'a  b', 'X-Empty', '', 'Transfer-Encoding', 'chunked'],
};
const HEAD_BYTES = 'POST /upload?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nX-Spaced:\t a  b \r\nX-Empty:\r\nTransfer-Encoding: chunked\r\n\r\n';
const BODY = '5\r\nhello\r\n0\r\n\r\n';

const at = (text: string): number | null => findHeadEnd(Buffer.from(text, 'latin1'), PARSED);

describe('findHeadEnd', () => {
  it('finds the head at the start of the buffer, with or without a body behind it', () => {
    expect(at(HEAD_BYTES + BODY)).toBe(HEAD_BYTES.length);
    expect(at(HEAD_BYTES)).toBe(HEAD_BYTES.length);
  });

  it('finds it behind pipelined requests, whose bodies may hold empty lines', () => {
    const before = 'GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 8\r\n\r\na\r\n\r\nb\r\n';
    expect(at(before + HEAD_BYTES + BODY)).toBe(before.length + HEAD_BYTES.length);
  });

  it('finds the end when the buffer starts anywhere inside the head (split across reads)', () => {
    for (let cut = 1; cut < HEAD_BYTES.length; cut++) {
      expect(at(HEAD_BYTES.slice(cut) + BODY), `cut at ${cut}: ${JSON.stringify(HEAD_BYTES.slice(cut, cut + 12))}`).toBe(HEAD_BYTES.length - cut);
    }
  });

  it('is not fooled by a body that repeats the head\'s last field', () => {
    // The read split the final CRLFCRLF after "\r\n\r"; the body then looks like a field line.
    const body = 'FFFFFFFFFFFFFFED\r\nTransfer-Encoding: chunked\r\n\r\n';
    expect(at(`\n${body}`)).toBe(1);
  });

  it('is null when the buffer does not hold this head', () => {
    expect(at('GET /other HTTP/1.1\r\nHost: h\r\n\r\n')).toBeNull();
    expect(at(HEAD_BYTES.replace('X-Empty:', 'X-Other:') + BODY)).toBeNull();
    expect(at('abc\r\n')).toBeNull();
  });
});
