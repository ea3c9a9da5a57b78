/**
 * Instances of one loaded hook. `pooled`: instances are reused across requests, so guest globals
 * and heap persist between requests (documented in wit/README.md); `per-request`: a fresh instance
 * for every call. An instance that failed is never returned to the pool (its memory may be
 * corrupt or huge: Wasm memory never shrinks).
 */
import type { GuestInstance } from './direct-instance.ts';

export type Isolation = 'pooled' | 'per-request';

/** Calls are synchronous on one thread, so a few idle instances are plenty. */
const MAX_IDLE = 4;

export class InstancePool {
  readonly #create: () => GuestInstance | Promise<GuestInstance>;
  readonly #isolation: Isolation;
  readonly #idle: GuestInstance[] = [];
  created = 0;

  constructor(create: () => GuestInstance | Promise<GuestInstance>, isolation: Isolation) {
    this.#create = create;
    this.#isolation = isolation;
  }

  acquire(): GuestInstance | Promise<GuestInstance> {
    const idle = this.#idle.pop();
    if (idle !== undefined) return idle;
    this.created++;
    return this.#create();
  }

  release(instance: GuestInstance): void {
    if (this.#isolation === 'pooled' && this.#idle.length < MAX_IDLE) this.#idle.push(instance);
    else instance.dispose?.();
  }

  /** Pre-instantiates one instance at load, so the first request pays no instantiation. */
  async warm(): Promise<void> {
    if (this.#isolation === 'pooled' && this.#idle.length === 0) this.release(await this.acquire());
  }
}
