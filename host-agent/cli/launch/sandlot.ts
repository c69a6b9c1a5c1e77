// dist/sandlot.js: the `sandlot` command (see launch.ts).
import { launch } from './launch';

launch('sandlot-cli.mjs');
