// The extension's manifest fields of package.json, from one source: the features'
// contribution modules (core.ts, ../playground-panel/manifest.ts, ../snapshots/manifest.ts, ../tutorial/manifest.ts)
// and the tested VS Code versions. `npm run manifest` writes them into package.json; a
// unit test fails when the committed file differs. Every other key of package.json
// (scripts, dependencies, …) is left as it is.
import { parseOwnJson } from '../../host-agent/util/json';
import { LAYOUT_MANIFEST } from '../layout/manifest';
import { MCP_MANIFEST } from '../mcp/manifest';
import { PLAYGROUND_PANEL_MANIFEST } from '../playground-panel/manifest';
import { SNAPSHOT_MANIFEST } from '../snapshots/manifest';
import { TUTORIAL_MANIFEST } from '../tutorial/manifest';
import { COMMANDS, type CommandId } from './commands';
import { CORE_MANIFEST, TERMINAL, YAML_VALIDATION } from './core';
import { SANDLOT_ICON, VIEW_CONTAINER, type FeatureManifest } from './schema';
import { oldestTested } from './tested-versions';

type FeatureParts = Omit<FeatureManifest<CommandId>, 'commands'>;

/** In this order the features' parts follow each other in every list. */
const FEATURES: readonly FeatureParts[] = [CORE_MANIFEST, PLAYGROUND_PANEL_MANIFEST, LAYOUT_MANIFEST, SNAPSHOT_MANIFEST, TUTORIAL_MANIFEST, MCP_MANIFEST];

const CATEGORY = 'Sandlot';

function all<T>(pick: (f: FeatureParts) => T[] | undefined): T[] {
  return FEATURES.flatMap((f) => pick(f) ?? []);
}

/** The top-level package.json keys this module owns, with their values. */
export function manifestFields() {
  const commands = Object.entries(COMMANDS);
  return {
    publisher: 'sandlot',
    main: './dist/extension.js',
    categories: ['Other'],
    keywords: ['playground', 'sandbox', 'linux', 'ssh', 'remote'],
    // "ui" first: in desktop VS Code with a Remote-SSH window into a machine, the extension
    // must stay beside the local agent; in code-server (no local Node host) it falls back to
    // the server's extension host, which is where the agent runs there.
    extensionKind: ['ui', 'workspace'],
    activationEvents: all((f) => f.activationEvents),
    contributes: {
      yamlValidation: YAML_VALIDATION,
      viewsContainers: { activitybar: [{ id: VIEW_CONTAINER, title: 'Sandlot', icon: SANDLOT_ICON }] },
      views: { [VIEW_CONTAINER]: all((f) => f.views) },
      viewsWelcome: all((f) => f.viewsWelcome),
      commands: commands.map(([command, spec]) => ({ command, title: spec.title, category: CATEGORY, ...(spec.icon ? { icon: spec.icon } : {}) })),
      menus: {
        commandPalette: commands.flatMap(([command, spec]) => (spec.palette ? [{ command, when: spec.palette }] : [])),
        'view/title': all((f) => f.viewTitle),
        'view/item/context': all((f) => f.itemContext),
        'explorer/context': all((f) => f.explorerContext),
        'editor/title': all((f) => f.editorTitle),
      },
      configuration: { title: CATEGORY, properties: Object.fromEntries(FEATURES.flatMap((f) => Object.entries(f.settings ?? {}))) },
      terminal: TERMINAL,
      mcpServerDefinitionProviders: all((f) => f.mcpServerDefinitionProviders),
      walkthroughs: [
        {
          id: 'sandlot.getStarted',
          title: 'Get Started with Sandlot',
          description: 'Throw-away Linux machines, one click away.',
          steps: all((f) => f.walkthroughSteps),
        },
      ],
    },
  };
}

/** The engines.vscode range: from the oldest VS Code the e2e suite runs on. */
export function vscodeEngine(): string {
  return `^${oldestTested().vscode}`;
}

/** package.json's text with the manifest fields replaced (key order and all other keys kept). */
export function withManifest(packageJson: string): string {
  const pkg = parseOwnJson<Record<string, unknown>>(packageJson);
  const engines = typeof pkg.engines === 'object' && pkg.engines !== null ? pkg.engines : {};
  Object.assign(pkg, manifestFields(), { engines: { ...engines, vscode: vscodeEngine() } });
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
