/** Type-level tests: the schema's inferred types are what consumers are promised. */
import { describe, expectTypeOf, it } from 'vitest';
import * as s from '../../../src/config/dsl/index.ts';
import { edgehookSchema } from '../../../src/config/schema.ts';
import type { EdgehookConfig, HookConfig } from '../../../src/config/types.ts';

describe('schema types', () => {
  it('derives camelCase readonly keys from snake_case YAML keys', () => {
    const field = s.object({
      max_bytes: s.bytes({ doc: '', default: '1KiB' }),
      default_ttl: s.orNull(s.duration({ doc: '' }), { meaning: 'none' }),
      level: s.enumOf(['a', 'b'], { doc: '', default: 'a' }),
      items: s.array(s.cidr({ doc: '' }), { doc: '', default: [] }),
    }, { doc: '' });
    expectTypeOf<s.FieldValue<typeof field>>().toEqualTypeOf<{
      readonly maxBytes: number;
      readonly defaultTtl: number | null;
      readonly level: 'a' | 'b';
      readonly items: readonly string[];
    }>();
  });

  it('produces EdgehookConfig', () => {
    expectTypeOf<s.FieldValue<typeof edgehookSchema>>().toEqualTypeOf<EdgehookConfig>();
    expectTypeOf<EdgehookConfig['hooks'][number]>().toEqualTypeOf<HookConfig>();
    expectTypeOf<EdgehookConfig['admin']>().toEqualTypeOf<{ readonly host: string; readonly port: number; readonly token: string | null } | null>();
  });

  it('SameShape fails to compile on any drift between a declared type and its schema', () => {
    // @ts-expect-error the declared type lacks a key the schema produces
    expectTypeOf<s.SameShape<{ a: number; b: number }, { a: number }>>().not.toBeNever();
    // @ts-expect-error the declared type has a key the schema does not produce
    expectTypeOf<s.SameShape<{ a: number }, { a: number; b: number }>>().not.toBeNever();
    // @ts-expect-error nullability differs
    expectTypeOf<s.SameShape<{ a: number | null }, { a: number }>>().not.toBeNever();
    expectTypeOf<s.SameShape<{ readonly a: number }, { readonly a: number }>>().not.toBeNever();
  });

  it('rejects a default outside an enum', () => {
    // @ts-expect-error 'c' is not one of the values
    s.enumOf(['a', 'b'], { doc: '', default: 'c' });
  });
});
