import { describe, expect, it } from 'vitest';
import {
  createSlicePolicy, firstSliceWanted, sliceBounds, sliceCount, sliceIndexOf, sliceKey, sliceRangeField,
} from '../../../src/pipeline/slice-plan.ts';

const MiB = 1024 * 1024;

describe('slice layout', () => {
  it.each<[number, number, number, { start: number; end: number }]>([
    [0, MiB, 10 * MiB, { start: 0, end: MiB - 1 }],
    [9, MiB, 10 * MiB, { start: 9 * MiB, end: 10 * MiB - 1 }],
    [9, MiB, 10 * MiB - 5, { start: 9 * MiB, end: 10 * MiB - 6 }],
    [0, MiB, 1, { start: 0, end: 0 }],
  ])('slice %d of %d bytes in an object of %d → %j', (index, size, total, bounds) => {
    expect(sliceBounds(index, size, total)).toEqual(bounds);
  });

  it.each<[number, number, number]>([
    [1, MiB, 1],
    [MiB, MiB, 1],
    [MiB + 1, MiB, 2],
    [256 * MiB, MiB, 256],
  ])('%d bytes in slices of %d → %d slices', (total, size, count) => {
    expect(sliceCount(total, size)).toBe(count);
  });

  it('asks for aligned, whole slices, also past the end (the origin shortens the last)', () => {
    expect(sliceRangeField(0, MiB)).toBe('bytes=0-1048575');
    expect(sliceRangeField(255, MiB)).toBe('bytes=267386880-268435455');
    expect(sliceIndexOf(268_000_000, MiB)).toBe(255);
    expect(sliceIndexOf(MiB - 1, MiB)).toBe(0);
    expect(sliceIndexOf(MiB, MiB)).toBe(1);
  });

  it('keys slices apart from the object, from each other and from slices of another size', () => {
    const keys = new Set([sliceKey('http://a/x', MiB, 0), sliceKey('http://a/x', MiB, 1), sliceKey('http://a/x1', MiB, 0), sliceKey('http://a/x', 2 * MiB, 0), 'http://a/x']);
    expect(keys.size).toBe(5);
  });
});

describe('firstSliceWanted', () => {
  it.each<[string | undefined, number]>([
    [undefined, 0],
    ['bytes=0-', 0],
    ['bytes=1048575-', 0],
    ['bytes=1048576-', 1],
    ['bytes=268000000-', 255],
    ['bytes=268000000-268000009', 255],
    ['BYTES= 3145728-3145730 ', 3],
    // Needs the total, which slice 0 tells.
    ['bytes=-500', 0],
    ['bytes=0-1,3145728-3145730', 0],
    ['bytes=3145730-3145728', 0],
    ['items=3145728-', 0],
    ['bytes=99999999999999999999-', 0],
  ])('%j → slice %d', (range, index) => {
    expect(firstSliceWanted(range, MiB)).toBe(index);
  });
});

describe('createSlicePolicy', () => {
  it('covers paths by hook-route globs', () => {
    const policy = createSlicePolicy({ size: MiB, paths: ['/video/**', '/**/*.iso'] });
    expect(policy.covers('/video/a/b.mp4')).toBe(true);
    expect(policy.covers('/dist/os/x.iso')).toBe(true);
    expect(policy.covers('/videos/a')).toBe(false);
    expect(policy.covers('/dist/x.iso.txt')).toBe(false);
  });
});
