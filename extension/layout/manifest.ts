// What playground layouts contribute to the extension manifest: Open Playground Layout (in
// the palette and a running playground's context menu) and Start Playground from
// Manifest… (in the palette, and on *.playground.yaml / sandlot.yaml in the Explorer and
// the editor title).
import { CONNECTED, HAS_PLAYGROUNDS, type FeatureManifest } from '../manifest/schema';
import { PLAYGROUNDS_VIEW } from '../manifest/core';

export const LAYOUT_COMMANDS = {
  'sandlot.startFromManifest': { title: 'Start Playground from Manifest…', icon: '$(play)', palette: CONNECTED },
  'sandlot.openLayout': { title: 'Open Playground Layout', icon: '$(layout)', palette: HAS_PLAYGROUNDS },
} as const;

export type LayoutCommandId = keyof typeof LAYOUT_COMMANDS;

/** The files a playground manifest lives in (the JSON Schema's fileMatch). */
const MANIFEST_FILE = 'resourceFilename =~ /\\.playground\\.ya?ml$|^sandlot\\.yaml$/';

export const LAYOUT_MANIFEST: FeatureManifest<LayoutCommandId> = {
  commands: LAYOUT_COMMANDS,
  itemContext: [{ command: 'sandlot.openLayout', when: `view == ${PLAYGROUNDS_VIEW} && viewItem =~ /^playground\\.running/`, group: '0_show@2' }],
  explorerContext: [{ command: 'sandlot.startFromManifest', when: MANIFEST_FILE, group: 'navigation@9' }],
  editorTitle: [{ command: 'sandlot.startFromManifest', when: `${CONNECTED} && ${MANIFEST_FILE}`, group: 'navigation' }],
};
