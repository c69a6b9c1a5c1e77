// dist/sandlot.js: the `sandlot` command (see launch.ts). Two kinds of command lines are
// answered without loading the ESM bundle (commander and its chunks, ~20–40 ms over
// Node's own start): `sandlot --version` alone (scripts call it to see the CLI is there),
// and the read-only commands of lean-args.ts (`list`), run by the small CommonJS bundle
// dist/sandlot-lean.js (lean-main.ts).
import { leanCommand } from '../lean-args';
import { launch, requireBeside } from './launch';
import { asksOnlyVersion, VERSION } from '../version';

const args = process.argv.slice(2);
if (asksOnlyVersion(args)) process.stdout.write(`${VERSION}\n`);
else if (leanCommand(args)) requireBeside('sandlot-lean.js');
else launch('sandlot-cli.mjs');
