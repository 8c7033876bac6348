import { defineConfig } from 'vitest/config';

// Tests that need the machine to themselves run after everything else and one file at a time.
// Those that launch Chrome: two audits at once on a 2-core machine would skew each other (and
// Lighthouse says never to do it); the CLI test is among them because the embedded demo config
// audits its demo pages. And promtool's rule unit tests: six promtool processes at once, whose
// 4-week test files need over a minute of CPU each; beside another test file they came within
// reach of their 180 s timeout on 2 cores. And the load test's knee, whose rule includes the
// rate the generator reached: beside other files that is the machine's figure, not the target's.
const CHROME_TESTS = [
  'test/integration/prometheus-rules.test.ts',
  'test/integration/lighthouse-prober.test.ts',
  'test/integration/lighthouse-service.test.ts',
  'test/integration/cli.test.ts',
  'test/integration/cli-probe-progress.test.ts',
  'test/integration/dashboard-queries.test.ts',
  'test/integration/chrome-tmpdir.test.ts',
  'test/integration/csrf-browser.test.ts',
  'test/integration/demo-shop-browser.test.ts',
  'test/integration/browser-prober.test.ts',
  'test/integration/browser-service.test.ts',
  'test/integration/rum-snippet-browser.test.ts',
  'test/integration/rum-snippet-lighthouse.test.ts',
  'test/integration/rum-end-to-end.test.ts',
  'test/integration/load-knee.test.ts',
];

export default defineConfig({
  test: {
    globalSetup: ['test/globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'core',
          include: ['test/**/*.test.ts'],
          exclude: CHROME_TESTS,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'chrome',
          include: CHROME_TESTS,
          fileParallelism: false,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
