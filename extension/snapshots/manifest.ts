// What snapshots contribute to the extension manifest: Snapshot, Fork, Save as Template
// on a playground's row (and in the palette), Fork, Save as Template and Delete on a
// snapshot's row (snapshots are listed under their playground in the Playgrounds view).
import { PLAYGROUNDS_VIEW } from '../manifest/core';
import { HAS_PLAYGROUNDS, CONNECTED, type FeatureManifest, type MenuEntry } from '../manifest/schema';

export const SNAPSHOT_COMMANDS = {
  'sandlot.snapshot': { title: 'Snapshot Playground…', icon: '$(device-camera)', palette: HAS_PLAYGROUNDS },
  'sandlot.fork': { title: 'Fork…', icon: '$(repo-forked)', palette: CONNECTED },
  'sandlot.saveAsTemplate': { title: 'Save as Template…', icon: '$(save-as)', palette: CONNECTED },
  'sandlot.deleteSnapshot': { title: 'Delete Snapshot…', icon: '$(trash)', palette: CONNECTED },
} as const;

export type SnapshotCommandId = keyof typeof SNAPSHOT_COMMANDS;

/** A playground that can be snapshotted: running or stopped. */
const pgRow = `view == ${PLAYGROUNDS_VIEW} && viewItem =~ /^playground\\.(running|stopped)/`;
const snapshotRow = `view == ${PLAYGROUNDS_VIEW} && viewItem == snapshot.ready`;
const anySnapshotRow = `view == ${PLAYGROUNDS_VIEW} && viewItem =~ /^snapshot\\./`;

const itemContext: MenuEntry<SnapshotCommandId>[] = [
  { command: 'sandlot.snapshot', when: pgRow, group: '4_state@1' },
  { command: 'sandlot.fork', when: pgRow, group: '4_state@2' },
  { command: 'sandlot.saveAsTemplate', when: pgRow, group: '4_state@3' },
  { command: 'sandlot.fork', when: snapshotRow, group: 'inline@1' },
  { command: 'sandlot.fork', when: snapshotRow, group: '1_fork@1' },
  { command: 'sandlot.saveAsTemplate', when: snapshotRow, group: '1_fork@2' },
  { command: 'sandlot.deleteSnapshot', when: anySnapshotRow, group: '9_delete@1' },
];

export const SNAPSHOT_MANIFEST: FeatureManifest<SnapshotCommandId> = { commands: SNAPSHOT_COMMANDS, itemContext };
