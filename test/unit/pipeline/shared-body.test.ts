/**
 * SharedBody's flow control, reader by reader: retained bodies are read at the origin's pace,
 * unretained ones at the pacer's, laggards are cut, and an unretained body nobody reads is
 * abandoned (issue 8, defect 2).
 */
import { describe, expect, it } from 'vitest';
import { SharedBody, type BodyReader } from '../../../src/pipeline/shared-body.ts';

const KiB = 1024;

/** A reader with a socket-like buffer of `room` bytes that the test drains by hand. */
function slowReader(room: number) {
  let buffered = 0;
  let received = 0;
  let resume: (() => void) | null = null;
  const events: string[] = [];
  const reader: BodyReader = {
    onChunk(chunk, resumeFn) {
      received += chunk.length;
      buffered += chunk.length;
      if (buffered < room) return true;
      resume = resumeFn;
      return false;
    },
    onEnd: () => events.push('end'),
    onError: (error) => events.push(`error:${(error as Error & { code?: string }).code}`),
  };
  return {
    reader,
    events,
    get received() {
      return received;
    },
    drain() {
      buffered = 0;
      const r = resume;
      resume = null;
      r?.();
    },
  };
}

function source() {
  const calls: string[] = [];
  return { calls, control: { pause: () => calls.push('pause'), resume: () => calls.push('resume'), abandon: () => calls.push('abandon') } };
}

const chunk = Buffer.alloc(16 * KiB, 1);

describe('SharedBody flow control', () => {
  it('reads a retained body at the origin\'s pace however slow the readers are, and replays it to late joiners', () => {
    const body = new SharedBody({ retainBytes: 1024 * KiB, pauseLag: 32 * KiB, maxReaderLag: 64 * KiB });
    const origin = source();
    body.attachSource(origin.control);
    const slow = slowReader(16 * KiB);
    body.subscribe(slow.reader);
    for (let i = 0; i < 32; i++) body.push(chunk);
    expect(origin.calls).toEqual([]);
    expect(slow.received).toBe(16 * KiB);
    const late = slowReader(Infinity);
    expect(body.subscribe(late.reader)).toBe(true);
    expect(late.received).toBe(512 * KiB);
    body.end();
    expect(late.events).toEqual(['end']);
    for (let i = 0; i < 40; i++) slow.drain();
    expect(slow.received).toBe(512 * KiB);
    expect(slow.events).toEqual(['end']);
    expect(body.buffer()?.length).toBe(512 * KiB);
  });

  it('pauses the origin while the pacer lags past its mark once the body outgrows retention, and resumes it when the pacer catches up', () => {
    const body = new SharedBody({ retainBytes: 32 * KiB, pauseLag: 40 * KiB, maxReaderLag: 1024 * KiB });
    const origin = source();
    body.attachSource(origin.control);
    const pacer = slowReader(16 * KiB);
    body.subscribe(pacer.reader);
    for (let i = 0; i < 4; i++) body.push(chunk);
    expect(origin.calls).toEqual(['pause']);
    expect(body.complete).toBe(false);
    pacer.drain();
    pacer.drain();
    expect(origin.calls).toEqual(['pause', 'resume']);
    expect(body.subscribe(slowReader(Infinity).reader)).toBe(false);
  });

  it('cuts a reader other than the pacer that lags past the bound, and tells why', () => {
    const cuts: number[] = [];
    const body = new SharedBody({ retainBytes: 16 * KiB, pauseLag: 1024 * KiB, maxReaderLag: 64 * KiB, onReaderCut: (lag) => cuts.push(lag) });
    body.attachSource(source().control);
    const pacer = slowReader(Infinity);
    const laggard = slowReader(16 * KiB);
    body.subscribe(pacer.reader);
    body.subscribe(laggard.reader);
    for (let i = 0; i < 6; i++) body.push(chunk);
    expect(laggard.events).toEqual(['error:EH_CLIENT_TOO_SLOW']);
    expect(cuts).toEqual([80 * KiB]);
    expect(body.readers).toBe(1);
    body.end();
    expect(pacer.events).toEqual(['end']);
    expect(pacer.received).toBe(96 * KiB);
  });

  it('hands the pace to the next reader when the pacer leaves, and abandons the origin when nobody is left', () => {
    const body = new SharedBody({ retainBytes: 16 * KiB, pauseLag: 32 * KiB, maxReaderLag: 1024 * KiB });
    const origin = source();
    body.attachSource(origin.control);
    const first = slowReader(Infinity);
    const second = slowReader(16 * KiB);
    body.subscribe(first.reader);
    body.subscribe(second.reader);
    for (let i = 0; i < 4; i++) body.push(chunk);
    expect(origin.calls).toEqual([]);
    body.unsubscribe(first.reader);
    expect(origin.calls).toEqual(['pause']);
    body.unsubscribe(second.reader);
    expect(origin.calls).toEqual(['pause', 'abandon']);
    expect(body.abandoned).toBe(true);
  });

  it('keeps only the chunks some reader still needs once unretained', () => {
    const body = new SharedBody({ retainBytes: 16 * KiB, pauseLag: 1024 * KiB, maxReaderLag: 1024 * KiB });
    const reader = slowReader(Infinity);
    body.subscribe(reader.reader);
    for (let i = 0; i < 100; i++) body.push(chunk);
    body.end();
    expect(reader.received).toBe(1600 * KiB);
    expect(body.buffer()).toBeNull();
  });
});
