/** The cache's configurable behaviour, resolved once from config. */
import type { SlicePolicy } from './slice-plan.ts';

export interface CachePolicy {
  /** Cache-Status cache name. */
  readonly name: string;
  readonly maxObjectBytes: number;
  readonly defaultTtlSeconds: number | undefined;
  readonly storeSetCookie: boolean;
  /** RFC 9213 target list (http/targeted-cache-control.ts), lowercase, in precedence order. */
  readonly targetedCacheControl: readonly string[];
  readonly ignoreClientNoCache: boolean;
  readonly heuristicFraction: number;
  readonly heuristicMaxSeconds: number;
  readonly sortQuery: boolean;
  readonly collapseMaxWaiters: number;
  /** Shared-fill flow control: the leader's lag that pauses the origin, the lag that cuts another reader. */
  readonly fill: { readonly pauseOriginLag: number; readonly maxReaderLag: number };
  /** Objects fetched and stored in byte-range slices (slice-flow.ts); null = off. */
  readonly slice: SlicePolicy | null;
}
