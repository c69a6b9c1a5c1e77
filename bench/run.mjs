// Runs one benchmark: `npm run bench -- <name>` bundles bench/<name>.ts (packages stay
// external) into dist/bench/ and runs it with node.
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';

const name = process.argv[2];
if (!name) {
  console.error('usage: npm run bench -- <name> (a file bench/<name>.ts)');
  process.exit(2);
}
await esbuild.build({
  entryPoints: [`bench/${name}.ts`],
  bundle: true,
  platform: 'node',
  target: 'node20',
  packages: 'external',
  outfile: `dist/bench/${name}.js`,
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, [`dist/bench/${name}.js`, ...process.argv.slice(3)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
