// What the tutorial feature contributes to the extension manifest: the Tutorial view,
// its commands and buttons, the panel's activation, and the walkthrough's last step.
import { HAS_PLAYGROUNDS, CONNECTED, SANDLOT_ICON, commandLink, type FeatureManifest } from '../manifest/schema';

export const TUTORIAL_VIEW = 'sandlot.tutorial';
export const TUTORIAL_PANEL = 'sandlot.tutorialPanel';

/** The active editor holds a content folder's index (what the preview and the content test start from). */
const CONTENT_FILE = 'resourceScheme == file && resourceFilename =~ /^(index\\.(md|json)|unit-.*\\.md)$/';

export const TUTORIAL_COMMANDS = {
  'sandlot.openTutorial': { title: 'Open Tutorial…', icon: '$(book)', palette: CONNECTED },
  'sandlot.restartContent': { title: 'Restart Content', icon: '$(debug-restart)', palette: HAS_PLAYGROUNDS },
  'sandlot.stopContent': { title: 'Stop Content', icon: '$(debug-stop)', palette: HAS_PLAYGROUNDS },
  'sandlot.showTutorialPanel': { title: 'Show Tutorial in Editor', icon: '$(open-preview)', palette: HAS_PLAYGROUNDS },
  'sandlot.previewTutorial': { title: 'Preview Tutorial', icon: '$(open-preview)', palette: CONTENT_FILE },
  'sandlot.testContent': { title: 'Test This Content', icon: '$(beaker)', palette: CONTENT_FILE },
} as const;

export type TutorialCommandId = keyof typeof TUTORIAL_COMMANDS;

const inView = `view == ${TUTORIAL_VIEW}`;

export const TUTORIAL_MANIFEST: FeatureManifest<TutorialCommandId> = {
  commands: TUTORIAL_COMMANDS,
  activationEvents: [`onWebviewPanel:${TUTORIAL_PANEL}`],
  editorTitle: [{ command: 'sandlot.previewTutorial', when: CONTENT_FILE, group: 'navigation' }],
  views: [{ type: 'webview', id: TUTORIAL_VIEW, name: 'Tutorial', icon: SANDLOT_ICON }],
  viewTitle: [
    { command: 'sandlot.openTutorial', when: inView, group: 'navigation@1' },
    { command: 'sandlot.showTutorialPanel', when: inView, group: 'navigation@2' },
    { command: 'sandlot.restartContent', when: inView, group: 'navigation@3' },
    { command: 'sandlot.stopContent', when: inView, group: 'navigation@4' },
  ],
  walkthroughSteps: [
    {
      id: 'tutorial',
      title: 'Learn with a tutorial',
      description: `Challenges and tutorials whose steps turn green as you solve them in the machine.\n${commandLink('Open Tutorial', 'sandlot.openTutorial')}`,
      media: { markdown: 'extension/media/walkthrough/tutorial.md' },
      completionEvents: ['onCommand:sandlot.openTutorial'],
    },
  ],
};
