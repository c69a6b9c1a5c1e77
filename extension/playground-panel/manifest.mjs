// Adds the playground panel's contributions to package.json (the extension manifest),
// idempotently: entries with our ids are replaced, nothing else is touched. Runs from
// extension/tools/manifest.mjs after it rewrites the shared keys, or alone under the lock:
//   flock /tmp/sandlot-npm.lock node extension/playground-panel/manifest.mjs
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const file = new URL('../../package.json', import.meta.url);
const pkg = JSON.parse(readFileSync(file, 'utf8'));
const c = (pkg.contributes ??= {});

const COMMAND = 'sandlot.showPlayground';
const upsert = (list, entry, match) => {
  const i = list.findIndex((e) => match(e, entry));
  if (i >= 0) list[i] = entry;
  else list.push(entry);
};

upsert((c.commands ??= []), { command: COMMAND, title: 'Show Playground', category: 'Sandlot', icon: '$(dashboard)' }, (a, b) => a.command === b.command);

const menus = (c.menus ??= {});
upsert((menus.commandPalette ??= []), { command: COMMAND, when: 'sandlot.agentConnected && sandlot.hasPlaygrounds' }, (a, b) => a.command === b.command);

// On a playground row: an inline button (first, before Destroy) and the context menu's top.
const rows = (menus['view/item/context'] ??= []);
const pgRow = 'view == sandlot.playgrounds && viewItem =~ /^playground/';
for (const entry of [
  { command: COMMAND, when: pgRow, group: 'inline@0' },
  { command: COMMAND, when: pgRow, group: '0_show@1' },
]) {
  upsert(rows, entry, (a, b) => a.command === b.command && a.group === b.group);
}

const activation = (pkg.activationEvents ??= []);
if (!activation.includes('onWebviewPanel:sandlot.playgroundPanel')) activation.push('onWebviewPanel:sandlot.playgroundPanel');

const tmp = new URL('../../package.json.playground-panel-tmp', import.meta.url);
writeFileSync(tmp, JSON.stringify(pkg, null, 2) + '\n');
renameSync(tmp, file);
