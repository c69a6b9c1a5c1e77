// Bundles every entry point. The agent + CLI bundle keeps native modules external
// (node-pty, ssh2's optional crypto binding) since they load compiled .node files.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

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
  // The `sandlot` CLI; `sandlot agent` runs the host agent from the same bundle.
  { ...nodeCommon, entryPoints: ['host-agent/cli/main.ts'], outfile: 'dist/sandlot.js' },
  // The content reader worker thread (host-agent/content/reader.ts starts it beside sandlot.js):
  // content is parsed there, with a heap limit and a deadline, never on the agent's event loop.
  { ...nodeCommon, entryPoints: ['host-agent/content/reader-worker.ts'], outfile: 'dist/content-worker.js' },
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

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
