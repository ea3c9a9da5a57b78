import { describe, expect, it } from 'vitest';
import { formatBytes, parseBytes } from '../../../src/config/parse-bytes.ts';
import { formatDuration, parseDuration } from '../../../src/config/parse-duration.ts';

describe('parseBytes', () => {
  it.each([
    [0, 0],
    [1024, 1024],
    ['1024', 1024],
    ['512B', 512],
    ['64MiB', 64 * 2 ** 20],
    ['64mib', 64 * 2 ** 20],
    ['1GB', 1e9],
    ['1GiB', 2 ** 30],
    ['16KiB', 16_384],
    ['8 KiB', 8192],
    ['1.5KiB', 1536],
    ['2TB', 2e12],
    [' 1kb ', 1000],
  ] as const)('%j is %d bytes', (input, bytes) => {
    expect(parseBytes(input)).toBe(bytes);
  });

  it.each([['lots'], [''], ['-1'], [-1], [1.5], ['1 MiBs'], ['MiB'], ['1e3'], ['1,000'], [Number.MAX_SAFE_INTEGER + 2], ['9999999TiB']] as const)(
    'rejects %j',
    (input) => {
      expect(parseBytes(input)).toBeUndefined();
    },
  );

  it.each([[2 ** 28, '256MiB'], [2 ** 30, '1GiB'], [1536, '1536B'], [1000, '1000B'], [16_384, '16KiB']] as const)('formats %d as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  // Found by test/unit/property/config-units.property.test.ts: the amount was multiplied as a
  // float, so "4.1GB" (4099999999.9999995) lost a byte and "2048.8TiB" rounded up past the floor.
  it.each([
    ['4.1GB', 4_100_000_000],
    ['2048.8TiB', 2_252_679_422_987_468],
  ] as const)('%j is exactly %d bytes', (input, bytes) => {
    expect(parseBytes(input)).toBe(bytes);
  });
});

describe('parseDuration', () => {
  it.each([
    [0, 0],
    [250, 250],
    ['250', 250],
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['1h0m5s', 3_605_000],
  ] as const)('%j is %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([['soon'], [''], ['-1s'], [-5], [2.5], ['30 s'], ['s'], ['1w'], ['30sec'], ['1m 30s']] as const)('rejects %j', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });

  it.each([[30_000, '30s'], [86_400_000, '1d'], [250, '250ms'], [90_000, '90s'], [0, '0ms']] as const)('formats %d as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  // Found by test/unit/property/config-units.property.test.ts: float sums lost the half
  // millisecond that decides the rounding.
  it.each([
    ['0.0005s2048.2h', 7_373_520_001],
  ] as const)('%j is exactly %d ms (halves round up)', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });
});
