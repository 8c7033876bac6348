import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Timing-sensitive probes (phase accuracy) must not share the 2 cores with many other files.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
