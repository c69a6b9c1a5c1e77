// Every command the extension contributes, by id: the union of the features' tables. The
// id types are what registerCommand, menus and the panels accept, so a command that is
// contributed but never registered, or run under a misspelt id, fails the build.
import { LAYOUT_COMMANDS } from '../layout/manifest';
import { PLAYGROUND_PANEL_COMMANDS } from '../playground-panel/manifest';
import { SNAPSHOT_COMMANDS } from '../snapshots/manifest';
import { TUTORIAL_COMMANDS } from '../tutorial/manifest';
import { CORE_COMMANDS } from './core';
import type { CommandSpec } from './schema';

const ALL = { ...CORE_COMMANDS, ...PLAYGROUND_PANEL_COMMANDS, ...LAYOUT_COMMANDS, ...SNAPSHOT_COMMANDS, ...TUTORIAL_COMMANDS };

export type CommandId = keyof typeof ALL;
export const COMMANDS: { readonly [K in CommandId]: CommandSpec } = ALL;
export type { CoreCommandId } from './core';
export type { PlaygroundPanelCommandId } from '../playground-panel/manifest';
export type { SnapshotCommandId } from '../snapshots/manifest';
export type { LayoutCommandId } from '../layout/manifest';
export type { TutorialCommandId } from '../tutorial/manifest';
