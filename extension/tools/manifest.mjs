// Writes the extension's fields into the root package.json (which IS the extension
// manifest). Run under the npm lock: `flock /tmp/sandlot-npm.lock node extension/tools/manifest.mjs`.
// Keeping the contributions here, in one reviewable place, beats dozens of `npm pkg set`
// calls; the script only replaces the keys it owns and keeps every other byte's meaning.
import { existsSync, readdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';

const file = new URL('../../package.json', import.meta.url);
const pkg = JSON.parse(readFileSync(file, 'utf8'));

const cat = 'Sandlot';
const commands = [
  ['sandlot.startPlayground', 'Start Playground…', '$(add)'],
  ['sandlot.refresh', 'Refresh', '$(refresh)'],
  ['sandlot.openTerminal', 'Open Terminal', '$(terminal)'],
  ['sandlot.openFolder', 'Open Folder', '$(folder-opened)'],
  ['sandlot.addToWorkspace', 'Add Machine to Workspace', '$(root-folder)'],
  ['sandlot.connectRemoteSsh', 'Connect with Remote-SSH', '$(remote)'],
  ['sandlot.forwardPort', 'Forward Port…', '$(plug)'],
  ['sandlot.copySshCommand', 'Copy SSH Command', '$(copy)'],
  ['sandlot.stop', 'Stop Playground', '$(debug-stop)'],
  ['sandlot.start', 'Start Stopped Playground', '$(debug-start)'],
  ['sandlot.restart', 'Restart Playground', '$(debug-restart)'],
  ['sandlot.destroy', 'Destroy Playground', '$(trash)'],
  ['sandlot.extend', 'Extend Lifetime', '$(watch)'],
  ['sandlot.showLogs', 'Show Logs', '$(output)'],
  ['sandlot.showActions', 'Playground Actions…', undefined],
  ['sandlot.setToken', 'Set Agent Token…', undefined],
  ['sandlot.startAgent', 'Start Local Agent', undefined],
].map(([command, title, icon]) => ({ command, title, category: cat, ...(icon ? { icon } : {}) }));

const connected = 'sandlot.agentConnected';
const has = `${connected} && sandlot.hasPlaygrounds`;
const pgItem = 'view == sandlot.playgrounds && viewItem =~ /^playground/';
const runningPg = 'view == sandlot.playgrounds && viewItem =~ /^playground\\.running/';
const runningMachine = 'view == sandlot.playgrounds && viewItem == machine.running';

pkg.publisher = 'sandlot';
pkg.engines = { ...pkg.engines, vscode: '^1.100.0' };
pkg.main = './dist/extension.js';
pkg.icon = undefined;
pkg.categories = ['Other'];
pkg.keywords = ['playground', 'sandbox', 'linux', 'ssh', 'remote'];
// "ui" first: in desktop VS Code with a Remote-SSH window into a machine, the extension
// must stay beside the local agent; in code-server (no local Node host) it falls back to
// the server's extension host, which is where the agent runs there.
pkg.extensionKind = ['ui', 'workspace'];
pkg.activationEvents = ['onStartupFinished', 'onFileSystem:sandlot', 'onResolveRemoteAuthority:ssh-remote', 'onUri', 'onTerminalProfile:sandlot.machine'];
pkg.contributes = {
  viewsContainers: {
    activitybar: [{ id: 'sandlot', title: 'Sandlot', icon: 'extension/media/sandlot.svg' }],
  },
  views: {
    sandlot: [
      { id: 'sandlot.playgrounds', name: 'Playgrounds', icon: 'extension/media/sandlot.svg' },
      { id: 'sandlot.catalog', name: 'Catalog', icon: 'extension/media/sandlot.svg' },
    ],
  },
  viewsWelcome: [
    {
      view: 'sandlot.playgrounds',
      contents:
        'No Sandlot agent answers.\n[Start Local Agent](command:sandlot.startAgent)\n[Set Agent Token](command:sandlot.setToken)\nThe agent address is the setting `sandlot.agent.url`; [Show Logs](command:sandlot.showLogs) says what was tried.',
      when: `!${connected}`,
    },
    {
      view: 'sandlot.playgrounds',
      contents:
        'No playground is running.\n[Start Playground](command:sandlot.startPlayground)\nA playground is a set of throw-away Linux machines; pick a template from the Catalog below.',
      when: `${connected} && !sandlot.hasPlaygrounds`,
    },
    {
      view: 'sandlot.catalog',
      contents: 'The catalog appears once an agent answers.',
      when: `!${connected}`,
    },
  ],
  commands,
  menus: {
    commandPalette: [
      { command: 'sandlot.startPlayground', when: connected },
      { command: 'sandlot.refresh', when: connected },
      ...[
        'openTerminal',
        'openFolder',
        'addToWorkspace',
        'connectRemoteSsh',
        'forwardPort',
        'copySshCommand',
        'stop',
        'start',
        'restart',
        'destroy',
        'extend',
        'showActions',
      ].map((c) => ({ command: `sandlot.${c}`, when: has })),
    ],
    'view/title': [
      { command: 'sandlot.startPlayground', when: `view == sandlot.playgrounds && ${connected}`, group: 'navigation@1' },
      { command: 'sandlot.refresh', when: 'view == sandlot.playgrounds || view == sandlot.catalog', group: 'navigation@2' },
      { command: 'sandlot.showLogs', when: 'view == sandlot.playgrounds', group: '9_logs' },
    ],
    'view/item/context': [
      { command: 'sandlot.startPlayground', when: 'view == sandlot.catalog && viewItem == template', group: 'inline' },
      { command: 'sandlot.openTerminal', when: runningMachine, group: 'inline@1' },
      { command: 'sandlot.openFolder', when: runningMachine, group: 'inline@2' },
      { command: 'sandlot.openTerminal', when: runningMachine, group: '1_open@1' },
      { command: 'sandlot.openFolder', when: runningMachine, group: '1_open@2' },
      { command: 'sandlot.addToWorkspace', when: runningMachine, group: '1_open@3' },
      { command: 'sandlot.connectRemoteSsh', when: runningMachine, group: '1_open@4' },
      { command: 'sandlot.forwardPort', when: runningMachine, group: '2_net@1' },
      { command: 'sandlot.copySshCommand', when: runningMachine, group: '2_net@2' },
      { command: 'sandlot.destroy', when: pgItem, group: 'inline@9' },
      { command: 'sandlot.extend', when: runningPg, group: '3_life@1' },
      { command: 'sandlot.stop', when: runningPg, group: '3_life@2' },
      { command: 'sandlot.start', when: 'view == sandlot.playgrounds && viewItem =~ /^playground\\.(stopped|lost)/', group: '3_life@3' },
      { command: 'sandlot.restart', when: pgItem, group: '3_life@4' },
      { command: 'sandlot.destroy', when: pgItem, group: '3_life@9' },
    ],
  },
  configuration: {
    title: 'Sandlot',
    properties: {
      'sandlot.agent.url': {
        type: 'string',
        default: '',
        markdownDescription:
          'Address of the Sandlot agent, e.g. `http://127.0.0.1:7420`. Empty: the local agent found through `$SANDLOT_HOME/agent.json`. The token goes in SecretStorage (**Sandlot: Set Agent Token…**); for the local agent it is read from its token file.',
      },
      'sandlot.cli.path': {
        type: 'string',
        default: '',
        markdownDescription:
          'Path of the `sandlot` CLI bundle (`dist/sandlot.js`) used for `ProxyCommand` and to start a local agent. Empty: `dist/sandlot.js` beside the extension (a checkout), else the one of `sandlot` on `PATH`.',
      },
    },
  },
  terminal: {
    profiles: [{ id: 'sandlot.machine', title: 'Sandlot Machine', icon: 'vm' }],
  },
  walkthroughs: [
    {
      id: 'sandlot.getStarted',
      title: 'Get Started with Sandlot',
      description: 'Throw-away Linux machines, one click away.',
      steps: [
        {
          id: 'agent',
          title: 'Connect to the agent',
          description: 'The Sandlot agent makes machines on this computer.\n[Start Local Agent](command:sandlot.startAgent)',
          media: { markdown: 'extension/media/walkthrough/agent.md' },
          completionEvents: ['onContext:sandlot.agentConnected'],
        },
        {
          id: 'start',
          title: 'Start a playground',
          description: 'Pick a template; the machines come up in seconds.\n[Start Playground](command:sandlot.startPlayground)',
          media: { markdown: 'extension/media/walkthrough/start.md' },
          completionEvents: ['onContext:sandlot.hasPlaygrounds'],
        },
        {
          id: 'open',
          title: 'Open a terminal or a folder',
          description: 'Work inside a machine without any other extension.\n[Open Terminal](command:sandlot.openTerminal)',
          media: { markdown: 'extension/media/walkthrough/open.md' },
          completionEvents: ['onCommand:sandlot.openTerminal', 'onCommand:sandlot.openFolder'],
        },
      ],
    },
  ],
};
pkg.scripts = {
  ...pkg.scripts,
  package: 'npm run build && vsce package --no-dependencies --allow-missing-repository --skip-license --readme-path docs/extension.md --out dist/sandlot.vsix',
};

const tmp = new URL('../../package.json.manifest-tmp', import.meta.url);
writeFileSync(tmp, JSON.stringify(pkg, null, 2) + '\n');
renameSync(tmp, file);

// Features with their own manifest script (extension/<feature>/manifest.mjs) add their
// entries on top of the keys rewritten above; run them so this script never drops them.
for (const entry of readdirSync(new URL('..', import.meta.url), { withFileTypes: true })) {
  const feature = new URL(`../${entry.name}/manifest.mjs`, import.meta.url);
  if (entry.isDirectory() && entry.name !== 'tools' && existsSync(feature)) await import(feature.href);
}
