// How the `sandlot` CLI (which also runs the agent) is bundled; esbuild.mjs builds it and
// test/unit/host-agent/cli/bundle-graph.test.ts checks what each command loads.
//
// The CLI is ESM split into chunks: every command group is a dynamic import (see
// host-agent/cli/commands/index.ts), so a command loads its own group and what that group
// imports, never the whole program (esbuild splits only ESM). dist/sandlot.js and
// dist/sandlot-ssh-proxy.js stay CommonJS launchers: the package is CommonJS, and those
// paths are what users, ProxyCommand lines and the extension run. They run the lean
// CommonJS entries (cliLean) for `list` and ssh-proxy, the ESM CLI for everything else.
import * as fs from 'node:fs';
import * as path from 'node:path';

const nodeTarget = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning' };
// Native modules load compiled .node files: never bundled.
const nativeExternals = ['node-pty', 'cpu-features', '*.node'];

/** Chunks sit beside the entries: code that finds files relative to its own module (__dirname) finds the same dist/. */
const CHUNK_PREFIX = 'sandlot-chunk-';

/** @type {import('esbuild').BuildOptions} */
export const cliBundle = {
  ...nodeTarget,
  entryPoints: { 'sandlot-cli': 'host-agent/cli/main.ts' },
  outdir: 'dist',
  format: 'esm',
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: `${CHUNK_PREFIX}[hash]`,
  external: nativeExternals,
  // CommonJS packages bundled into ESM still call require() (for Node built-ins), and the
  // sources use __dirname/__filename: give every chunk its own.
  banner: {
    js: [
      "import { createRequire as __sandlotCreateRequire } from 'node:module';",
      "import { fileURLToPath as __sandlotFileURLToPath } from 'node:url';",
      'const require = __sandlotCreateRequire(import.meta.url);',
      'const __filename = __sandlotFileURLToPath(import.meta.url);',
      "const __dirname = __sandlotFileURLToPath(new URL('.', import.meta.url));",
    ].join(' '),
  },
};

/**
 * The lean entries: one self-contained CommonJS file each, for what runs often and needs
 * only the agent client — `sandlot list` (lean-main.ts, run by the launcher) and the
 * ProxyCommand of every OpenSSH connection (ssh-proxy-main.ts). One file means no ES
 * module loader and no chunk graph to resolve: Node reads and compiles one script.
 * @type {import('esbuild').BuildOptions}
 */
export const cliLean = {
  ...nodeTarget,
  entryPoints: { 'sandlot-lean': 'host-agent/cli/lean-main.ts', 'sandlot-ssh-proxy-lean': 'host-agent/cli/ssh-proxy-main.ts' },
  outdir: 'dist',
  format: 'cjs',
  // None opens a WebSocket (`list` is one HTTP request, `run` uses the `tcpRun` route, ssh-proxy the `tcpTunnel`
  // route): the client's lazy import of ws stays a require that never runs, instead of
  // 130 kB of ws that Node would read and pre-parse on every start.
  external: [...nativeExternals, 'ws'],
};

/** @type {import('esbuild').BuildOptions} */
export const cliLaunchers = {
  ...nodeTarget,
  entryPoints: { sandlot: 'host-agent/cli/launch/sandlot.ts', 'sandlot-ssh-proxy': 'host-agent/cli/launch/ssh-proxy.ts' },
  outdir: 'dist',
  format: 'cjs',
};

/** Chunks of earlier builds: their names change with their content, so old ones would pile up in dist/. */
export function removeStaleChunks(dir = 'dist') {
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir)) if (f.startsWith(CHUNK_PREFIX)) fs.rmSync(path.join(dir, f));
}
