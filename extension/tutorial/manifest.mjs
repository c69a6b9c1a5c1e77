// Adds the tutorial feature's contributions to package.json (the extension manifest),
// idempotently: entries with our ids are replaced, nothing else is touched. Run under the
// npm lock after extension/tools/manifest.mjs (which rewrites the shared keys):
//   flock /tmp/sandlot-npm.lock node extension/tutorial/manifest.mjs
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const file = new URL('../../package.json', import.meta.url);
const pkg = JSON.parse(readFileSync(file, 'utf8'));
const c = (pkg.contributes ??= {});

const upsert = (list, entry, key) => {
  const i = list.findIndex((e) => e[key] === entry[key] && (key !== 'command' || !entry.when || e.when === entry.when));
  if (i >= 0) list[i] = entry;
  else list.push(entry);
};

const views = ((c.views ??= {}).sandlot ??= []);
upsert(views, { type: 'webview', id: 'sandlot.tutorial', name: 'Tutorial', icon: 'extension/media/sandlot.svg' }, 'id');

const commands = (c.commands ??= []);
for (const [command, title, icon] of [
  ['sandlot.openTutorial', 'Open Tutorial…', '$(book)'],
  ['sandlot.restartContent', 'Restart Content', '$(debug-restart)'],
  ['sandlot.stopContent', 'Stop Content', '$(debug-stop)'],
  ['sandlot.showTutorialPanel', 'Show Tutorial in Editor', '$(open-preview)'],
])
  upsert(commands, { command, title, category: 'Sandlot', icon }, 'command');

const menus = (c.menus ??= {});
const palette = (menus.commandPalette ??= []);
upsert(palette, { command: 'sandlot.openTutorial', when: 'sandlot.agentConnected' }, 'command');
for (const command of ['sandlot.restartContent', 'sandlot.stopContent', 'sandlot.showTutorialPanel']) {
  upsert(palette, { command, when: 'sandlot.agentConnected && sandlot.hasPlaygrounds' }, 'command');
}
const title = (menus['view/title'] ??= []);
const inView = 'view == sandlot.tutorial';
for (const [command, group] of [
  ['sandlot.openTutorial', 'navigation@1'],
  ['sandlot.showTutorialPanel', 'navigation@2'],
  ['sandlot.restartContent', 'navigation@3'],
  ['sandlot.stopContent', 'navigation@4'],
]) {
  const i = title.findIndex((e) => e.command === command && e.when === inView);
  const entry = { command, when: inView, group };
  if (i >= 0) title[i] = entry;
  else title.push(entry);
}

const activation = (pkg.activationEvents ??= []);
if (!activation.includes('onWebviewPanel:sandlot.tutorialPanel')) activation.push('onWebviewPanel:sandlot.tutorialPanel');

// The Get Started walkthrough (written by extension/tools/manifest.mjs) ends with a tutorial.
const getStarted = (c.walkthroughs ?? []).find((w) => w.id === 'sandlot.getStarted');
if (getStarted) {
  upsert(
    getStarted.steps,
    {
      id: 'tutorial',
      title: 'Learn with a tutorial',
      description: 'Challenges and tutorials whose steps turn green as you solve them in the machine.\n[Open Tutorial](command:sandlot.openTutorial)',
      media: { markdown: 'extension/media/walkthrough/tutorial.md' },
      completionEvents: ['onCommand:sandlot.openTutorial'],
    },
    'id',
  );
}

const tmp = new URL('../../package.json.tutorial-tmp', import.meta.url);
writeFileSync(tmp, JSON.stringify(pkg, null, 2) + '\n');
renameSync(tmp, file);
