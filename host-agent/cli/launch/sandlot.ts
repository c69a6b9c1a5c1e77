// dist/sandlot.js: the `sandlot` command (see launch.ts). `sandlot --version` alone is
// answered here: scripts call it to see the CLI is there, and loading the ESM bundle
// (commander and its chunks) would add ~20 ms to Node's own start for one line.
import { launch } from './launch';
import { asksOnlyVersion, VERSION } from '../version';

if (asksOnlyVersion(process.argv.slice(2))) process.stdout.write(`${VERSION}\n`);
else launch('sandlot-cli.mjs');
