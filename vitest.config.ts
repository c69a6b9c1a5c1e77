import * as os from 'node:os';
import * as path from 'node:path';
import { defineConfig } from 'vitest/config';

// One machine image cache for every agent the suites start (microvm images, sandbox image
// roots), the one `scripts/setup.sh` fills: a root built per test home would take minutes.
const env = { SANDLOT_VM_CACHE: process.env.SANDLOT_VM_CACHE ?? path.join(os.tmpdir(), 'sandlot-vm-cache') };

// Three suites: unit (pure logic), integration (real agent, real SSH, real drivers),
// e2e (real VS Code). Integration and e2e start processes and machines, so they run
// one file at a time to keep a 2-core machine from timing out under load.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], env } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          env,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          env,
          testTimeout: 180_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
