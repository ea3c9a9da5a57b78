/**
 * A bound on concurrent work with a bounded wait line. sharp runs on libuv's thread pool (four
 * threads by default, shared with fs and dns): without a bound a burst of transforms would queue
 * there invisibly, delaying every other pool user; past the wait line a caller is told "busy" at
 * once rather than waiting without limit.
 */
export const BUSY: unique symbol = Symbol('busy');

export interface TaskLimiter {
  run<T>(task: () => Promise<T>): Promise<T | typeof BUSY>;
  readonly active: number;
  readonly waiting: number;
}

export function createTaskLimiter(concurrency: number, maxWaiting: number): TaskLimiter {
  let active = 0;
  const line: (() => void)[] = [];
  const release = (): void => {
    const next = line.shift();
    if (next === undefined) active--;
    else next();
  };
  return {
    get active() {
      return active;
    },
    get waiting() {
      return line.length;
    },
    async run(task) {
      if (active < concurrency) active++;
      else if (line.length >= maxWaiting) return BUSY;
      // The releasing task hands its slot straight to this one, so `active` is unchanged.
      else await new Promise<void>((resolve) => line.push(resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
