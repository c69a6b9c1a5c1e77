import * as os from 'node:os';
import * as path from 'node:path';
import { defineConfig } from 'vitest/config';
import codeServerVersions from './test/e2e/code-server-versions.json';

// One machine image cache for every agent the suites start (microvm images, sandbox image
// roots), the one `scripts/setup.sh` fills: a root built per test home would take minutes.
const env = { SANDLOT_VM_CACHE: process.env.SANDLOT_VM_CACHE ?? path.join(os.tmpdir(), 'sandlot-vm-cache') };

// Suites by what they need from the host:
// - unit: nothing (pure logic, and the API server and manager on an in-memory fake driver);
// - integration: a real agent with the sandbox driver (Linux namespaces; root or
//   unprivileged user namespaces), real SSH;
// - integration-docker-qemu: a Docker engine or QEMU (image builds, containers, VMs);
// - e2e: code-server and Chromium, once per code-server in test/e2e/code-server-versions.json:
//   one project per version (`--project e2e-4.139.1`, or `--project 'e2e-*'` for all), each
//   naming its version to the harness; they run after the other projects and one after the
//   other (groupOrder), never two workbenches at once.
// `npm run test:fast` is unit + integration: everything that needs none of Docker, QEMU
// or a browser. Integration and e2e start processes and machines, so they run one file
// at a time to keep a 2-core machine from timing out under load.
const NEEDS_DOCKER_OR_QEMU = [
  'test/integration/host-agent/drivers/docker/**/*.test.ts',
  'test/integration/host-agent/drivers/microvm/**/*.test.ts',
  'test/integration/host-agent/images/**/*.test.ts',
  'test/integration/host-agent/tasks/builtin-content-docker.test.ts',
];

// A failing test prints its agents' log tails (test/helpers/agent-logs-on-failure.ts).
const serial = { env, testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false, setupFiles: ['test/helpers/agent-logs-on-failure.ts'] };

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], env } },
      // Heavy suites one after the other (groupOrder): two at once would time out on 2 cores.
      { test: { name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: NEEDS_DOCKER_OR_QEMU, ...serial, sequence: { groupOrder: 1 } } },
      { test: { name: 'integration-docker-qemu', include: NEEDS_DOCKER_OR_QEMU, ...serial, sequence: { groupOrder: 2 } } },
      ...codeServerVersions.map((v, i) => ({
        test: {
          name: `e2e-${v.codeServer}`,
          include: ['test/e2e/**/*.test.ts'],
          env: { ...env, SANDLOT_E2E_CODE_SERVER: v.codeServer },
          testTimeout: 300_000,
          hookTimeout: 600_000,
          fileParallelism: false,
          sequence: { groupOrder: i + 3 },
        },
      })),
    ],
  },
});
