// What the playground panel contributes to the extension manifest: Show Playground (in
// the palette and on a playground's row, inline and at the top of its context menu) and
// the panel's activation after a window reload.
import { HAS_PLAYGROUNDS, type FeatureManifest } from '../manifest/schema';
import { PLAYGROUNDS_VIEW } from '../manifest/core';

export const PLAYGROUND_PANEL = 'sandlot.playgroundPanel';

export const PLAYGROUND_PANEL_COMMANDS = {
  'sandlot.showPlayground': { title: 'Show Playground', icon: '$(dashboard)', palette: HAS_PLAYGROUNDS },
} as const;

export type PlaygroundPanelCommandId = keyof typeof PLAYGROUND_PANEL_COMMANDS;

const pgRow = `view == ${PLAYGROUNDS_VIEW} && viewItem =~ /^playground/`;

export const PLAYGROUND_PANEL_MANIFEST: FeatureManifest<PlaygroundPanelCommandId> = {
  commands: PLAYGROUND_PANEL_COMMANDS,
  activationEvents: [`onWebviewPanel:${PLAYGROUND_PANEL}`],
  itemContext: [
    { command: 'sandlot.showPlayground', when: pgRow, group: 'inline@0' },
    { command: 'sandlot.showPlayground', when: pgRow, group: '0_show@1' },
  ],
};
