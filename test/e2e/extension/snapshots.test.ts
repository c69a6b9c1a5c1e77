// Snapshots in a real VS Code (code-server + Chromium) against a real agent (sandbox
// driver): snapshot a playground from its row in the Playgrounds tree, see the snapshot
// listed under it, fork it from the snapshot's row (a new running playground with the
// state and its own host key), save it as a template that the Catalog lists, and delete
// the template's and the snapshot's leftovers; then the same three actions from the
// playground panel's buttons. Screenshots land in test-results/e2e/snapshots/.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { PlaygroundRecord } from '../../../host-agent/api/protocol';
import { startPlayground } from '../../helpers/agent-process';
import { sshRun } from '../harness/machine';
import { artifactsDir } from '../harness/artifacts';
import { E2eSession } from '../harness/session';
import { journey } from '../harness/steps';
import { waitFor } from '../harness/util';
import { webviewFrameWith, type Workbench } from '../harness/workbench';

const LONG = 120_000;

describe('snapshots in code-server', () => {
  const artifacts = artifactsDir('snapshots');
  let session: E2eSession | undefined;
  let wb: Workbench;
  let pg: PlaygroundRecord;
  let snapshotId: string;
  const agent = () => session!.agent;
  const step = journey((name) => wb.screenshot(name));

  beforeAll(async () => {
    session = await E2eSession.start({ name: 'snapshots', artifacts, settings: { 'sandlot.openLayoutOnStart': false } });
    wb = session.wb;
    pg = await startPlayground(session.agent, 'linux');
    expect((await sshRun(agent().client, pg.id, 'dev', 'echo from-the-original > /root/state.txt')).code).toBe(0);
  });

  afterAll(async () => {
    await session?.close();
  });

  step('snapshots the playground from its row and lists the snapshot under it', async () => {
    await wb.showViewContainer('Sandlot');
    const row = wb.sideBarRow(pg.id);
    await row.waitFor({ state: 'visible', timeout: LONG });
    await wb.contextMenu(row, 'Snapshot Playground');
    await wb.answerInput('base');
    await wb.waitNotification(/Snapshot base \(sn-\w+\) of pg-\w+ is ready/, LONG);
    const snaps = await agent().client.snapshots(pg.id);
    expect(snaps.map((s) => [s.name, s.state])).toEqual([['base', 'ready']]);
    snapshotId = snaps[0].id;
    await wb.sideBarRow(new RegExp(`^base.*${snapshotId}`)).waitFor({ state: 'visible', timeout: LONG });
    await wb.screenshot('snapshot-listed');
  });

  step('forks the snapshot from its row: a new playground with the state and its own host key', async () => {
    await wb.contextMenu(wb.sideBarRow(new RegExp(`^base.*${snapshotId}`)), 'Fork');
    await wb.waitNotification(/\(fork of sn-\w+\) is ready/, LONG);
    const fork = await waitFor('the fork to run', LONG, async () =>
      (await agent().client.list()).find((p) => p.forkOf === snapshotId && p.state === 'running'),
    );
    expect(fork.machines[0].hostKey).not.toBe(pg.machines[0].hostKey);
    expect((await sshRun(agent().client, fork.id, 'dev', 'cat /root/state.txt')).stdout).toBe('from-the-original\n');
    await wb.sideBarRow(fork.id).waitFor({ state: 'visible', timeout: LONG });
    await wb.screenshot('forked');
    await agent().client.destroy(fork.id);
    // Let the tree show the fork gone and the snapshot no longer used before the next
    // step's menu: a tree redraw makes VS Code forget the row a menu was opened on.
    const base = wb.sideBarRow(new RegExp(`^base.*${snapshotId}`));
    await waitFor('the tree to show the fork gone', LONG, async () => (await wb.sideBarRow(fork.id).count()) === 0 && !/used by/.test(await base.innerText()));
  });

  step('saves the snapshot as a template that the Catalog lists', async () => {
    await wb.contextMenu(wb.sideBarRow(new RegExp(`^base.*${snapshotId}`)), 'Save as Template');
    await wb.answerInput('my-lab');
    await wb.waitNotification(/Template my-lab saved/, LONG);
    expect((await agent().client.templates()).find((t) => t.name === 'my-lab')).toMatchObject({ source: 'user', snapshot: snapshotId });
    await wb.sideBarRow(/my-lab/).waitFor({ state: 'visible', timeout: LONG });
    await wb.screenshot('template-in-catalog');
  });

  step('deletes the snapshot from its row once nothing uses it, after asking', async () => {
    // The saved template uses the snapshot: without it, only the snapshot's own row is left to delete.
    await agent().client.removeTemplate('my-lab');
    const row = wb.sideBarRow(new RegExp(`^base.*${snapshotId}`));
    await wb.contextMenu(row, 'Delete Snapshot');
    await wb.clickDialogButton('Delete');
    await waitFor('the snapshot to be deleted', LONG, async () => (await agent().client.snapshots()).length === 0);
    await waitFor('its row to go', LONG, async () => (await row.count()) === 0);
    await wb.screenshot('snapshot-deleted');
  });

  step("snapshots, forks and saves as template with the playground panel's buttons", async () => {
    await wb.runCommand('Sandlot: Show Playground');
    const d = await webviewFrameWith(wb.page, `.playground-panel[data-playground="${pg.id}"][data-state="running"]`, LONG);
    const button = (action: string) => d.locator(`button[data-action="lifecycle"][data-lifecycle="${action}"]`);

    await button('snapshot').click();
    await wb.answerInput('from-panel');
    await wb.waitNotification(/Snapshot from-panel \(sn-\w+\) of pg-\w+ is ready/, LONG);
    expect((await agent().client.snapshots(pg.id)).map((s) => [s.name, s.state])).toEqual([['from-panel', 'ready']]);

    // Forking a playground snapshots it first, inside the same notification.
    await button('fork').click();
    const fork = await waitFor('the fork to run', LONG, async () => (await agent().client.list()).find((p) => p.id !== pg.id && p.state === 'running'));
    await wb.waitNotification(new RegExp(`Playground ${fork.id} \\(fork of sn-\\w+\\) is ready`), LONG);
    expect(fork.machines[0].hostKey).not.toBe(pg.machines[0].hostKey);
    expect((await sshRun(agent().client, fork.id, 'dev', 'cat /root/state.txt')).stdout).toBe('from-the-original\n');
    await agent().client.destroy(fork.id);

    await button('saveAsTemplate').click();
    await wb.answerInput('panel-lab');
    await wb.waitNotification(/Template panel-lab saved/, LONG);
    expect((await agent().client.templates()).find((t) => t.name === 'panel-lab')).toMatchObject({ source: 'user' });
    await wb.screenshot('panel-buttons');
    await agent().client.removeTemplate('panel-lab');
  });
});
