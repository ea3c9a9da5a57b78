import { describe, expect, it } from 'vitest';
import { parseSurrogateControl, surrogateCapability } from '../../../src/http/surrogate-control.ts';

describe('parseSurrogateControl', () => {
  it.each([
    ['absent', undefined, {}],
    ['max-age', 'max-age=3600', { maxAge: 3600 }],
    ['case-insensitive', 'MaX-aGe=60', { maxAge: 60 }],
    ['extension before max-age', 'foobar, max-age=30', { maxAge: 30 }],
    ['stale allowance ignored', 'max-age=60+120', { maxAge: 60 }],
    ['no-store', 'no-store', { noStore: true }],
    ['no-store-remote counts as no-store', 'no-store-remote', { noStore: true }],
    ['targeted at us', 'max-age=60;edgehook', { maxAge: 60 }],
    ['targeted elsewhere is ignored', 'max-age=60;other', {}],
    ['targeted beats untargeted', 'max-age=5, max-age=600;edgehook', { maxAge: 600 }],
    ['space before = is not max-age', 'max-age =100', {}],
    ['space after = is not a number', 'max-age= 100', {}],
    ['huge value is clamped', 'max-age=99999999999', { maxAge: 2_147_483_648 }],
  ])('%s', (_name, value, expected) => {
    expect({ ...parseSurrogateControl(value, 'edgehook') }).toEqual(expected);
  });

  it('advertises the node by its cache name', () => {
    expect(surrogateCapability('edgehook')).toBe('edgehook="Surrogate/1.0"');
  });
});
