import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration tests start real servers; two cores on CI machines.
    pool: 'forks',
    maxWorkers: 2,
  },
});
