// Packages the extension exactly as users get it: `vsce package` over the built bundle.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './util';

const execFileP = promisify(execFile);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds a .vsix into `outDir` from dist/extension.js, which must be fresh. */
export async function packageVsix(outDir: string): Promise<string> {
  const root = repoRoot();
  const bundle = path.join(root, 'dist/extension.js');
  // `npm test` builds first; a direct `vitest --project e2e` after an edit builds here.
  if (!fs.existsSync(bundle) || fs.statSync(bundle).mtimeMs < newestMtime(path.join(root, 'extension'))) {
    await execFileP(process.execPath, ['esbuild.mjs'], { cwd: root, timeout: 300_000 }).catch((err: Error & { stderr?: string }) => {
      throw new Error(`building the bundles failed (node esbuild.mjs): ${err.stderr?.trim() || err.message}`);
    });
  }
  const out = path.join(outDir, 'sandlot.vsix');
  await execFileP(
    path.join(root, 'node_modules/.bin/vsce'),
    ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--readme-path', 'docs/extension.md', '--out', out],
    { cwd: root, timeout: 120_000 },
  );
  return out;
}
