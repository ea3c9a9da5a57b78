/**
 * Collapsing across worker processes. The request collapser (collapser.ts) makes one fill per key
 * within a worker; this makes one per key within the node. The worker that leads a miss first
 * takes the key's fill lease in the shared disk store (cache/fill-lease.ts):
 *  - it gets the lease: it fills as usual, and the lease ends with the fill (after the store);
 *  - another worker holds it: it waits — polling its own tiered store, whose disk tier sees the
 *    other worker's commit — until a variant this request may use is stored, then serves it as
 *    a waiter on that fill would (`fwd=uri-miss; stored`, counted as collapsed); if the lease
 *    ends without one, it takes the lease itself; past `cache.peer_fill_wait` it fetches alone;
 *  - the key was last found not storable: it fetches at once.
 *
 * Only plain misses take part: revalidations use the stored validators per worker, image
 * variants are transformed per worker, and requests that fill alone (Authorization, a CDN loop)
 * never reach the collapser. Waiters get the object once it is stored whole, not as it streams.
 */
import type { CachedObject } from '../cache/types.ts';
import type { FillLeases, LeaseRow } from '../cache/fill-lease.ts';
import { variantMatches } from '../http/vary.ts';
import { recordCollapsed } from '../telemetry/pipeline-spans.ts';
import type { RequestContext } from './context.ts';
import type { FillOutcome, FillRequest } from './fill.ts';
import { SharedBody } from './shared-body.ts';

/** How often a waiting worker looks for the object: a disk-tier miss costs a few µs. */
const POLL_MS = 5;

/** What waiting on another worker's fill came to. */
type Waited = CachedObject | 'retry' | 'pass' | 'give-up';

export async function leasedFill(ctx: RequestContext, request: FillRequest, fillHere: () => Promise<FillOutcome>): Promise<FillOutcome> {
  const { peerFills, clock } = ctx.deps;
  if (peerFills === null || request.stale !== null || ctx.variant !== null) return fillHere();
  const { leases, waitMs } = peerFills;
  const deadline = clock.monotonic() + waitMs;
  for (;;) {
    const turn = await leases.take(request.key, waitMs);
    if (turn.kind === 'fetch') return holdWhileFilling(leases, request.key, waitMs, fillHere());
    if (turn.kind === 'pass') return fillHere();
    const waited = await waitForPeer(ctx, request.key, leases, deadline);
    if (waited === 'retry') continue;
    if (waited === 'pass' || waited === 'give-up') return fillHere();
    ctx.deps.metrics.countCollapsed();
    recordCollapsed(ctx.span);
    return { kind: 'shared', status: waited.meta.status, meta: waited.meta, body: SharedBody.whole(waited.body), withheld: [] };
  }
}

/** Ends the lease once the fill is over: after the store for a stored body, at once otherwise. */
async function holdWhileFilling(leases: FillLeases, key: string, ttlMs: number, filling: Promise<FillOutcome>): Promise<FillOutcome> {
  let outcome: FillOutcome;
  try {
    outcome = await filling;
  } catch (error) {
    leases.release(key, 'done', ttlMs);
    throw error;
  }
  if (outcome.kind === 'shared') {
    const { body } = outcome;
    // A body kept whole was stored (or refused by the store: then the waiters fetch). One that
    // outgrew retention is too large to store: the others need not wait for it next time.
    void body.whenSettled().then(() => leases.release(key, body.complete ? 'done' : 'pass', ttlMs));
  } else {
    leases.release(key, 'pass', ttlMs);
  }
  return outcome;
}

async function waitForPeer(ctx: RequestContext, key: string, leases: FillLeases, deadline: number): Promise<Waited> {
  const { store, clock } = ctx.deps;
  const header = (name: string): string | undefined => ctx.view.header(name);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const found = store.get(key)?.find((object) => variantMatches(object.meta.varyNames, object.meta.variantKey, header));
    if (found !== undefined) return found;
    const row = leases.peek(key);
    if (row === undefined || ended(row, leases, clock.now())) return 'retry';
    if (row.state === 'pass') return 'pass';
    if (clock.monotonic() >= deadline) return 'give-up';
  }
}

function ended(row: LeaseRow, leases: FillLeases, now: number): boolean {
  return row.until <= now || leases.isOwn(row) || !leases.isAlive(row);
}

