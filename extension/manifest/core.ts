// The extension's own contributions outside the feature folders: the Sandlot view
// container with the Playgrounds and Catalog trees, the playground commands, settings,
// the terminal profile and the Get Started walkthrough.
import { CONNECTED, HAS_PLAYGROUNDS, SANDLOT_ICON, commandLink, type FeatureManifest, type MenuEntry, type SettingSpec } from './schema';

export const CORE_COMMANDS = {
  'sandlot.startPlayground': { title: 'Start Playground…', icon: '$(add)', palette: CONNECTED },
  'sandlot.refresh': { title: 'Refresh', icon: '$(refresh)', palette: CONNECTED },
  'sandlot.openTerminal': { title: 'Open Terminal', icon: '$(terminal)', palette: HAS_PLAYGROUNDS },
  'sandlot.openFolder': { title: 'Open Folder', icon: '$(folder-opened)', palette: HAS_PLAYGROUNDS },
  'sandlot.addToWorkspace': { title: 'Add Machine to Workspace', icon: '$(root-folder)', palette: HAS_PLAYGROUNDS },
  'sandlot.connectRemoteSsh': { title: 'Connect with Remote-SSH', icon: '$(remote)', palette: HAS_PLAYGROUNDS },
  'sandlot.forwardPort': { title: 'Forward Port…', icon: '$(plug)', palette: HAS_PLAYGROUNDS },
  'sandlot.copySshCommand': { title: 'Copy SSH Command', icon: '$(copy)', palette: HAS_PLAYGROUNDS },
  'sandlot.stop': { title: 'Stop Playground', icon: '$(debug-stop)', palette: HAS_PLAYGROUNDS },
  'sandlot.start': { title: 'Start Stopped Playground', icon: '$(debug-start)', palette: HAS_PLAYGROUNDS },
  'sandlot.restart': { title: 'Restart Playground', icon: '$(debug-restart)', palette: HAS_PLAYGROUNDS },
  'sandlot.destroy': { title: 'Destroy Playground', icon: '$(trash)', palette: HAS_PLAYGROUNDS },
  'sandlot.extend': { title: 'Extend Lifetime', icon: '$(watch)', palette: HAS_PLAYGROUNDS },
  'sandlot.showLogs': { title: 'Show Logs', icon: '$(output)' },
  'sandlot.showActions': { title: 'Playground Actions…', palette: HAS_PLAYGROUNDS },
  'sandlot.setToken': { title: 'Set Agent Token…' },
  'sandlot.startAgent': { title: 'Start Local Agent' },
} as const;

export type CoreCommandId = keyof typeof CORE_COMMANDS;

export const PLAYGROUNDS_VIEW = 'sandlot.playgrounds';
export const CATALOG_VIEW = 'sandlot.catalog';
export const MACHINE_TERMINAL_PROFILE = 'sandlot.machine';

const pgItem = `view == ${PLAYGROUNDS_VIEW} && viewItem =~ /^playground/`;
const runningPg = `view == ${PLAYGROUNDS_VIEW} && viewItem =~ /^playground\\.running/`;
const runningMachine = `view == ${PLAYGROUNDS_VIEW} && viewItem == machine.running`;

const itemContext: MenuEntry<CoreCommandId>[] = [
  { command: 'sandlot.startPlayground', when: `view == ${CATALOG_VIEW} && viewItem == template`, group: 'inline' },
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
  { command: 'sandlot.start', when: `view == ${PLAYGROUNDS_VIEW} && viewItem =~ /^playground\\.(stopped|lost)/`, group: '3_life@3' },
  { command: 'sandlot.restart', when: pgItem, group: '3_life@4' },
  { command: 'sandlot.destroy', when: pgItem, group: '3_life@9' },
];

/** The core settings; the features' settings follow them in `contributes.configuration`. */
export const CORE_SETTINGS: Record<string, SettingSpec> = {
  'sandlot.agent.url': {
    type: 'string',
    default: '',
    markdownDescription:
      'Address of the Sandlot agent, e.g. `http://127.0.0.1:7420`. Empty: the local agent found through `$SANDLOT_HOME/agent.json`. The token goes in SecretStorage (**Sandlot: Set Agent Token…**); for the local agent it is read from its token file.',
  },
  'sandlot.openLayoutOnStart': {
    type: 'boolean',
    default: true,
    markdownDescription:
      "Open a playground's layout (its manifest's `tabs`: terminals, browser tabs, …; without tabs a terminal per machine) when it is started from VS Code. **Sandlot: Open Playground Layout** opens it again.",
  },
  'sandlot.cli.path': {
    type: 'string',
    default: '',
    markdownDescription:
      'Path of the `sandlot` CLI bundle (`dist/sandlot.js`) used for `ProxyCommand` and to start a local agent. Empty: `dist/sandlot.js` beside the extension (a checkout), else the one of `sandlot` on `PATH`.',
  },
};

export const CORE_MANIFEST: FeatureManifest<CoreCommandId> = {
  commands: CORE_COMMANDS,
  settings: CORE_SETTINGS,
  activationEvents: [
    'onStartupFinished',
    'onFileSystem:sandlot',
    'onResolveRemoteAuthority:ssh-remote',
    'onUri',
    `onTerminalProfile:${MACHINE_TERMINAL_PROFILE}`,
  ],
  views: [
    { id: PLAYGROUNDS_VIEW, name: 'Playgrounds', icon: SANDLOT_ICON },
    { id: CATALOG_VIEW, name: 'Catalog', icon: SANDLOT_ICON },
  ],
  viewsWelcome: [
    {
      view: PLAYGROUNDS_VIEW,
      contents: `No Sandlot agent answers.\n${commandLink('Start Local Agent', 'sandlot.startAgent')}\n${commandLink('Set Agent Token', 'sandlot.setToken')}\nThe agent address is the setting \`sandlot.agent.url\`; ${commandLink('Show Logs', 'sandlot.showLogs')} says what was tried.`,
      when: `!${CONNECTED}`,
    },
    {
      view: PLAYGROUNDS_VIEW,
      contents: `No playground is running.\n${commandLink('Start Playground', 'sandlot.startPlayground')}\nA playground is a set of throw-away Linux machines; pick a template from the Catalog below.`,
      when: `${CONNECTED} && !sandlot.hasPlaygrounds`,
    },
    { view: CATALOG_VIEW, contents: 'The catalog appears once an agent answers.', when: `!${CONNECTED}` },
  ],
  viewTitle: [
    { command: 'sandlot.startPlayground', when: `view == ${PLAYGROUNDS_VIEW} && ${CONNECTED}`, group: 'navigation@1' },
    { command: 'sandlot.refresh', when: `view == ${PLAYGROUNDS_VIEW} || view == ${CATALOG_VIEW}`, group: 'navigation@2' },
    { command: 'sandlot.showLogs', when: `view == ${PLAYGROUNDS_VIEW}`, group: '9_logs' },
  ],
  itemContext,
  walkthroughSteps: [
    {
      id: 'agent',
      title: 'Connect to the agent',
      description: `The Sandlot agent makes machines on this computer.\n${commandLink('Start Local Agent', 'sandlot.startAgent')}`,
      media: { markdown: 'extension/media/walkthrough/agent.md' },
      completionEvents: [`onContext:${CONNECTED}`],
    },
    {
      id: 'start',
      title: 'Start a playground',
      description: `Pick a template; the machines come up in seconds.\n${commandLink('Start Playground', 'sandlot.startPlayground')}`,
      media: { markdown: 'extension/media/walkthrough/start.md' },
      completionEvents: ['onContext:sandlot.hasPlaygrounds'],
    },
    {
      id: 'open',
      title: 'Open a terminal or a folder',
      description: `Work inside a machine without any other extension.\n${commandLink('Open Terminal', 'sandlot.openTerminal')}`,
      media: { markdown: 'extension/media/walkthrough/open.md' },
      completionEvents: ['onCommand:sandlot.openTerminal', 'onCommand:sandlot.openFolder'],
    },
  ],
};

export const TERMINAL = { profiles: [{ id: MACHINE_TERMINAL_PROFILE, title: 'Sandlot Machine', icon: 'vm' }] };

/** Playground manifests get completion and checks from the JSON Schema `npm run schema` writes. */
export const YAML_VALIDATION = [{ fileMatch: ['*.playground.yaml', '*.playground.yml', 'sandlot.yaml'], url: './schemas/playground-manifest.schema.json' }];
