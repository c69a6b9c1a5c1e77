// `npm run manifest`: writes the extension's manifest fields into package.json from
// extension/manifest/ (see package-json.ts). With --check it only says whether the
// committed package.json is what the source produces (exit 1 if not).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withManifest } from '../manifest/package-json';

const file = path.resolve(process.argv.find((a) => a.endsWith('package.json')) ?? 'package.json');
const before = fs.readFileSync(file, 'utf8');
const after = withManifest(before);

if (process.argv.includes('--check')) {
  if (before !== after) {
    console.error(`${file}: the extension manifest differs from what extension/manifest/ produces; run: npm run manifest`);
    process.exit(1);
  }
} else if (before !== after) {
  // Beside the target and renamed over it: an interrupted run leaves the old file whole.
  const tmp = `${file}.manifest-tmp`;
  fs.writeFileSync(tmp, after);
  fs.renameSync(tmp, file);
  console.log(`${file}: manifest fields written`);
} else {
  console.log(`${file}: manifest fields already up to date`);
}
