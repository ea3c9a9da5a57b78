/**
 * Startup validation of store bounds: a cache with a zero, negative or fractional bound is a
 * config mistake, reported precisely once at boot rather than discovered as a cache that never
 * stores anything.
 */
import { ConfigError } from '../errors.ts';

export function assertPositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got ${String(value)}`);
  }
}
