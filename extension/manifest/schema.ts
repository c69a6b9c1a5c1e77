// The shapes of the extension manifest's parts (package.json `contributes` and friends),
// as the feature modules declare them. Plain data, no vscode import: the manifest
// writer (extension/tools/write-manifest.ts) and the unit tests read the same modules
// the extension's code takes its command ids from.
import type { CommandId } from './commands';

/** One command: its palette title (category "Sandlot" is added), icon, and when the palette lists it. */
export interface CommandSpec {
  title: string;
  /** A codicon, `$(name)`: used where the command is a button (view titles, inline). */
  icon?: string;
  /** When-clause for the command palette; absent: always listed. */
  palette?: string;
}

/** A menu entry naming one of our commands (`Id` keeps it to the declared ones). */
export interface MenuEntry<Id extends string> {
  command: Id;
  when: string;
  group?: string;
}

export interface ViewSpec {
  type?: 'webview';
  id: string;
  name: string;
  icon: string;
}

export interface ViewWelcome {
  view: string;
  contents: string;
  when: string;
}

export interface WalkthroughStep {
  id: string;
  title: string;
  description: string;
  media: { markdown: string };
  completionEvents: string[];
}

/** A setting under `contributes.configuration` (VS Code's JSON Schema subset). */
export interface SettingSpec {
  type: 'string' | 'boolean' | 'number';
  default: string | boolean | number;
  markdownDescription: string;
}

/** A `contributes.mcpServerDefinitionProviders` entry (VS Code 1.101+). */
export interface McpProviderSpec {
  id: string;
  label: string;
}

/** What one feature contributes; the manifest concatenates the features' parts in order. */
export interface FeatureManifest<Id extends string> {
  commands: { readonly [K in Id]: CommandSpec };
  activationEvents?: string[];
  views?: ViewSpec[];
  viewsWelcome?: ViewWelcome[];
  viewTitle?: MenuEntry<Id>[];
  itemContext?: MenuEntry<Id>[];
  /** The Explorer's context menu on files. */
  explorerContext?: MenuEntry<Id>[];
  /** Buttons in an editor's title bar. */
  editorTitle?: MenuEntry<Id>[];
  walkthroughSteps?: WalkthroughStep[];
  settings?: Record<string, SettingSpec>;
  mcpServerDefinitionProviders?: McpProviderSpec[];
}

/** A markdown link that runs a command (welcome views, walkthrough steps). */
export function commandLink(label: string, id: CommandId): string {
  return `[${label}](command:${id})`;
}

/** The view every Sandlot view lives in, and the icon its views show. */
export const VIEW_CONTAINER = 'sandlot';
export const SANDLOT_ICON = 'extension/media/sandlot.svg';

/** Context keys the extension sets (agent-client/connection.ts) and when-clauses read. */
export const CONNECTED = 'sandlot.agentConnected';
export const HAS_PLAYGROUNDS = `${CONNECTED} && sandlot.hasPlaygrounds`;
