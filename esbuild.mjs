// Bundles every entry point. The agent + CLI bundle keeps native modules external
// (node-pty, ssh2's optional crypto binding) since they load compiled .node files.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cliBundle, cliLaunchers, cliLean, removeStaleChunks } from './scripts/cli-bundle.mjs';

const watch = process.argv.includes('--watch');

const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  external: ['node-pty', 'cpu-features', '*.node'],
};

/** @type {import('esbuild').BuildOptions[]} */
const builds = [
  // The `sandlot` CLI and its lean ssh-proxy entry (scripts/cli-bundle.mjs); `sandlot agent`
  // runs the host agent from the same build.
  cliBundle,
  cliLean,
  cliLaunchers,
  // The content reader worker thread (host-agent/content/reader.ts starts it beside sandlot.js):
  // content is parsed there, with a heap limit and a deadline, never on the agent's event loop.
  { ...nodeCommon, entryPoints: ['host-agent/content/reader-worker.ts'], outfile: 'dist/content-worker.js' },
  // The snapshot worker thread (host-agent/snapshots/contents-job.ts): hashes every file of a snapshot off the event loop.
  { ...nodeCommon, entryPoints: ['host-agent/snapshots/contents-worker.ts'], outfile: 'dist/snapshot-worker.js' },
];

// Later parts (VS Code extension, webviews) register their entries here when present.
if (existsSync('extension/extension.ts')) {
  builds.push({
    ...nodeCommon,
    entryPoints: ['extension/extension.ts'],
    outfile: 'dist/extension.js',
    // ssh2's optional native crypto and cpu-features stay out: their require() sits in a
    // try/catch, so the extension falls back to pure JS (it must load in Electron's Node).
    external: ['vscode', 'cpu-features', '*.node'],
  });
}
for (const entry of ['webviews/tutorial/main.ts', 'webviews/playground/main.ts']) {
  if (existsSync(entry)) {
    builds.push({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      sourcemap: 'linked',
      logLevel: 'warning',
      outfile: entry.replace(/^webviews\//, 'dist/webviews/').replace(/\.ts$/, '.js'),
    });
  }
}

// The sandbox driver's helpers are C: Node cannot call setns, mount_setattr or the loop
// ioctls, nor install a seccomp filter. sandlot-enter enters machines (seccomp, namespaces,
// credentials in one process); without it the driver falls back to nsenter and says so in
// `sandlot doctor`. sandlot-image-mounts puts an image root's layers and disks in place;
// without it machines keep the host's read-only view (and say why).
function buildSandboxHelpers() {
  for (const [src, out, without] of [
    ['host-agent/drivers/sandbox/enter/sandlot-enter.c', 'dist/sandlot-enter', 'sandbox machines run without a seccomp filter'],
    ['host-agent/drivers/sandbox/image-mounts/sandlot-image-mounts.c', 'dist/sandlot-image-mounts', 'sandbox machines get no image roots'],
    ['host-agent/drivers/sandbox/init/sandlot-init.c', 'dist/sandlot-init', "sandbox machines start through machine-init.sh's slower machine role"],
    ['host-agent/netns/relay/sandlot-relay.c', 'dist/sandlot-relay', 'each network namespace relay is a Node process (tens of ms of CPU per start)'],
  ]) {
    if (!existsSync(src)) continue;
    mkdirSync('dist', { recursive: true });
    const r = spawnSync('cc', ['-O2', '-Wall', '-Wextra', '-o', out, src], { stdio: 'inherit' });
    if (r.error || r.status !== 0) console.warn(`esbuild.mjs: ${src} not built (${r.error?.message ?? `cc exited ${r.status}`}); ${without}`);
  }
}
buildSandboxHelpers();

removeStaleChunks();
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
