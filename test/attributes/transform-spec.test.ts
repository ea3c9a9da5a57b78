/** Transform requests: validation against bounds, one canonical form, Accept negotiation, the query form, the limiter. */
import { describe, expect, it } from 'vitest';
import { BUSY, createTaskLimiter } from '../../src/attributes/task-limiter.ts';
import { parseTransformQuery } from '../../src/attributes/transform-query.ts';
import { negotiateFormat, outputFormatFor, resolveTransform, type TransformSpec } from '../../src/attributes/transform-spec.ts';

const BOUNDS = { maxWidth: 2000, maxHeight: 1000, defaultQuality: 80, negotiate: ['avif', 'webp'] as const };

describe('resolveTransform', () => {
  const canonical = (spec: TransformSpec, accept?: string): string => {
    const resolved = resolveTransform(spec, BOUNDS, accept);
    if (resolved.tag !== 'ok') throw new Error(resolved.val);
    return resolved.val.canonical;
  };

  it('applies defaults and spells a transform one way', () => {
    expect(canonical({ width: 320, format: 'webp' })).toBe('w320,h-,inside,noup,webp,q80');
    expect(canonical({ format: 'webp', width: 320, quality: 80, fit: 'inside', withoutEnlargement: true })).toBe('w320,h-,inside,noup,webp,q80');
    expect(canonical({ height: 100, fit: 'cover', withoutEnlargement: false, quality: 50 })).toBe('w-,h100,cover,up,source,q50');
  });

  it('marks a negotiated format so it never shares a key (or a Vary) with the explicit one', () => {
    expect(canonical({ width: 320, format: 'auto' }, 'image/avif,image/webp,*/*')).toBe('w320,h-,inside,noup,auto:avif,q80');
    expect(canonical({ width: 320, format: 'auto' }, 'image/webp,*/*')).toBe('w320,h-,inside,noup,auto:webp,q80');
    expect(canonical({ width: 320, format: 'auto' }, '*/*')).toBe('w320,h-,inside,noup,auto:source,q80');
    const resolved = resolveTransform({ format: 'auto' }, BOUNDS, 'image/webp');
    expect(resolved.tag === 'ok' && resolved.val.negotiated).toBe(true);
  });

  it.each<[TransformSpec, RegExp]>([
    [{}, /needs a width, height, format or quality/],
    [{ width: 0 }, /width must be an integer from 1 to 2000/],
    [{ width: 2001 }, /width/],
    [{ width: 10.5 }, /width/],
    [{ height: 1001 }, /height must be an integer from 1 to 1000/],
    [{ quality: 101 }, /quality/],
    [{ width: 10, fit: 'stretch' as 'fill' }, /fit must be one of/],
    [{ format: 'bmp' as 'png' }, /format must be auto or one of/],
  ])('refuses %j', (spec, message) => {
    const resolved = resolveTransform(spec, BOUNDS, undefined);
    expect(resolved.tag).toBe('invalid');
    expect(resolved.val).toMatch(message);
  });
});

describe('negotiateFormat', () => {
  it.each<[string | undefined, string]>([
    ['image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8', 'avif'],
    ['image/webp,*/*', 'webp'],
    ['image/avif;q=0, image/webp', 'webp'],
    ['IMAGE/AVIF ; q=0.5', 'avif'],
    ['image/*,*/*;q=0.8', 'source'],
    [undefined, 'source'],
  ])('%s → %s', (accept, format) => {
    expect(negotiateFormat(accept, ['avif', 'webp'])).toBe(format);
  });

  it('keeps the source format where sharp can write it, else PNG', () => {
    expect([outputFormatFor('source', 'jpeg'), outputFormatFor('source', 'gif'), outputFormatFor('source', 'svg'), outputFormatFor('webp', 'svg')])
      .toEqual(['jpeg', 'gif', 'png', 'webp']);
  });
});

describe('parseTransformQuery', () => {
  it('takes the transform parameters out and keeps the rest as written', () => {
    expect(parseTransformQuery('w=320&v=a%20b&fmt=webp&q=70')).toEqual({
      tag: 'spec', val: { spec: { width: 320, format: 'webp', quality: 70 }, rest: 'v=a%20b' },
    });
    expect(parseTransformQuery('h=10&fit=cover')).toEqual({ tag: 'spec', val: { spec: { height: 10, fit: 'cover' }, rest: '' } });
  });

  it('leaves a query without them alone', () => {
    expect(parseTransformQuery('')).toEqual({ tag: 'none' });
    expect(parseTransformQuery('width=320&x')).toEqual({ tag: 'none' });
  });

  it.each(['w=abc', 'w=-1', 'w=1e3', 'w=', 'q=50&q=60', 'fit=stretch', 'fmt=bmp'])('refuses %s', (query) => {
    expect(parseTransformQuery(query).tag).toBe('invalid');
  });
});

describe('task limiter', () => {
  it('runs at most `concurrency` tasks, queues up to `maxWaiting`, and refuses the rest at once', async () => {
    const limiter = createTaskLimiter(1, 1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const order: string[] = [];
    const first = limiter.run(async () => { order.push('first'); await gate; return 1; });
    const second = limiter.run(async () => { order.push('second'); return 2; });
    expect(await limiter.run(async () => 3)).toBe(BUSY);
    expect([limiter.active, limiter.waiting]).toEqual([1, 1]);
    release();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(order).toEqual(['first', 'second']);
    expect([limiter.active, limiter.waiting]).toEqual([0, 0]);
  });

  it('frees the slot when a task fails', async () => {
    const limiter = createTaskLimiter(1, 0);
    await expect(limiter.run(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'ok')).toBe('ok');
  });
});
