import { describe, expect, it } from 'vitest';
import type { AccessEntry } from '../../../src/logs/access-entry.ts';
import { compileJsonFormat, compileTemplateFormat, unknownTemplateFields } from '../../../src/logs/access-format.ts';

/** Only what the getters read: the formatters are pure functions of the entry. */
function entry(url: string, extra: Partial<AccessEntry> = {}): AccessEntry {
  return {
    req: { method: 'GET', url, httpVersion: '1.1', headers: { 'user-agent': 'ua "quoted"' } },
    socket: { remoteAddress: '127.0.0.1' },
    startWall: Date.UTC(2026, 11, 2, 14, 0, 0, 5), clientIp: null, traceId: null, ttfbMs: 0.1234567, cacheStatus: 'edgehook; hit', result: 'hit',
    originStatus: 0, originMs: -1, hooks: null, status: 200, bytes: 1187, durationMs: 1.5, completed: true,
    ...extra,
  } as unknown as AccessEntry;
}

describe('compileJsonFormat', () => {
  it.each([
    ['/plain'],
    ['/q?a="b"'],
    ['/back\\slash'],
    ['/ctl\u0001\u001f'],
    ['/ünïcode/日本'],
    ['/pair/\u{1F600}'],
    ['/lone/\ud800'],
  ])('writes JSON that reads back to the same values: %j', (url) => {
    const line = compileJsonFormat(['time', 'url', 'user_agent', 'status', 'ttfb_ms', 'origin_ms', 'completed', 'client_ip'])(entry(url));
    expect(JSON.parse(line)).toEqual({
      time: '2026-12-02T14:00:00.005Z', url: JSON.parse(JSON.stringify(url)) as string, user_agent: 'ua "quoted"', status: 200,
      ttfb_ms: 0.123, origin_ms: null, completed: true, client_ip: '127.0.0.1',
    });
  });

  it('writes {} for no fields', () => {
    expect(compileJsonFormat([])(entry('/'))).toBe('{}');
  });
});

describe('compileTemplateFormat', () => {
  it('fills $field and ${field}, absent values as "-"', () => {
    const format = compileTemplateFormat('$client_ip [${time}] "$method $url" $status $origin_status $hooks end');
    expect(format(entry('/p', { clientIp: '203.0.113.7' }))).toBe('203.0.113.7 [2026-12-02T14:00:00.005Z] "GET /p" 200 - - end');
  });

  it('names the fields it does not know', () => {
    expect(unknownTemplateFields('$status $latency ${bytes} ${nope}')).toEqual(['latency', 'nope']);
  });
});
