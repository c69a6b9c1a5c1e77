import { defineConfig } from 'vitest/config';

// Three suites: unit (pure logic), integration (real agent, real SSH, real drivers),
// e2e (real VS Code). Integration and e2e start processes and machines, so they run
// one file at a time to keep a 2-core machine from timing out under load.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
