// The playground panel in a real VS Code (code-server + Chromium) against a real agent
// with the sandbox driver: open it from the palette on a running linux playground, see
// the machine card and a live countdown, start a listener in the machine over SSH and
// watch its port appear, forward it from the panel and fetch through the forward, kill
// the listener and watch the port go, extend the lifetime from the panel, reload the
// window and find the panel again, destroy from the panel and read that it is gone.
// Every assertion on the panel reads its webview DOM. Screenshots in
// test-results/e2e/playground-panel/.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { PlaygroundRecord } from '../../../host-agent/api/protocol';
import { startPlayground } from '../../helpers/agent-process';
import { sshRun } from '../harness/machine';
import { E2eSession } from '../harness/session';
import { journey } from '../harness/steps';
import { artifactsDir } from '../harness/artifacts';
import { waitFor } from '../harness/util';
import { webviewFrameWith, type Workbench } from '../harness/workbench';

const LONG = 90_000;
/** A new listener must show up in the panel within this (probe every 2.5 s, loaded host). */
const PORT_SHOWS = 15_000;
const PORT = 8765;
/** The dev card's port list once a probe has answered: a list, or "nothing listens". */
const PORTS_READ = '.machine-card[data-machine="dev"] .ports-section :is(.ports, .ports-none)';

describe('playground panel in code-server', () => {
  const artifacts = artifactsDir('playground-panel');
  let session: E2eSession | undefined;
  let wb: Workbench;
  let pg: PlaygroundRecord;
  const step = journey((name) => wb.screenshot(name));
  const doc = () => webviewFrameWith(wb.page, '.playground-panel, .pg-empty');
  const portRow = async (port: number) => (await doc()).locator(`.machine-card[data-machine="dev"] .port[data-port="${port}"]`);
  const client = () => session!.agent.client;

  beforeAll(async () => {
    session = await E2eSession.start({ name: 'pgpanel', artifacts });
    wb = session.wb;
  });

  afterAll(async () => {
    await session?.close();
  });

  step('opens from the palette with the machine card and a live countdown', async () => {
    pg = await startPlayground(session!.agent, 'linux');
    await wb.runCommand('Sandlot: Show Playground');
    const d = await doc();
    const card = d.locator('.machine-card[data-machine="dev"][data-state="running"]');
    await card.waitFor({ state: 'visible', timeout: LONG });
    expect(await d.locator('.playground-panel').getAttribute('data-playground')).toBe(pg.id);
    expect(await card.locator('[data-field="user"] .kv-value').innerText()).toMatch(/^root/);
    expect(await card.locator('[data-field="resources"] .kv-value').innerText()).toContain('1Gi RAM');
    // The linux template runs for 2 h: the countdown reads 1:59:xx and moves by itself.
    const countdown = d.locator('.countdown');
    const first = await countdown.innerText();
    expect(first).toMatch(/^1:5\d:\d\d$/);
    await waitFor('the countdown to tick', 5_000, async () => (await countdown.innerText()) !== first);
    // The editor tab says which playground it is.
    await wb.page.locator('.tabs-container .tab', { hasText: pg.id }).first().waitFor({ state: 'visible' });
    await wb.screenshot('opened');
  });

  let listenerPid = '';
  step('shows a port a process starts listening on inside the machine', async () => {
    const d = await doc();
    // The first probe has answered (whatever else listens there), and not with our port.
    await d.locator(PORTS_READ).waitFor({ state: 'visible', timeout: PORT_SHOWS });
    expect(await (await portRow(PORT)).count()).toBe(0);
    // perl is in every Debian (perl-base is essential); python3 is not in the minimal image.
    const serve =
      `use IO::Socket::INET; my $s = IO::Socket::INET->new(LocalPort => ${PORT}, Listen => 5, ReuseAddr => 1) or die $!; ` +
      `while (my $c = $s->accept) { while (<$c>) { last if /^\\r?$/ } print $c "HTTP/1.0 200 OK\\r\\nContent-Length: 15\\r\\n\\r\\nhello from dev\\n"; close $c }`;
    const r = await sshRun(client(), pg.id, 'dev', `setsid perl -e '${serve}' </dev/null >/tmp/listener.log 2>&1 & echo $!`);
    expect(r.code).toBe(0);
    listenerPid = r.stdout.trim();
    expect(listenerPid).toMatch(/^\d+$/);
    const started = Date.now();
    await (await portRow(PORT)).waitFor({ state: 'visible', timeout: PORT_SHOWS });
    console.log(`port ${PORT} showed in the panel ${Date.now() - started} ms after the listener started`);
    expect(await (await portRow(PORT)).locator('.port-addresses').innerText()).toContain('0.0.0.0');
    await wb.screenshot('port-listed');
  });

  step('forwards the port from the panel and serves through the local address', async () => {
    const row = await portRow(PORT);
    await row.locator('button[data-action="forward"]:not([data-open])').click();
    const local = row.locator('.forward-local');
    await local.waitFor({ state: 'visible', timeout: LONG });
    const localPort = Number(await local.getAttribute('data-local-port'));
    expect(localPort).toBeGreaterThan(0);
    expect(await local.innerText()).toBe(`→ 127.0.0.1:${localPort}`);
    const res = await get(`http://127.0.0.1:${localPort}/`);
    expect(res).toEqual({ status: 200, body: 'hello from dev\n' });
    await wb.screenshot('forwarded');
  });

  step('opens the forwarded port in the browser with Open in Browser', async () => {
    const row = await portRow(PORT);
    const opened = wb.page.context().waitForEvent('page', { timeout: LONG });
    await row.locator('button[data-action="forward"][data-open]').click();
    // VS Code may ask before opening an address it does not trust yet.
    const dialog = wb.page.locator('.monaco-dialog-box .dialog-buttons a.monaco-button', { hasText: /^Open$/ }).first();
    void dialog.waitFor({ state: 'visible', timeout: 10_000 }).then(
      () => dialog.click(),
      () => undefined,
    );
    const tab = await opened;
    await tab.waitForLoadState('domcontentloaded');
    const local = Number(await row.locator('.forward-local').getAttribute('data-local-port'));
    // Through code-server's asExternalUri mapping (its port proxy) or the address itself.
    expect(tab.url()).toContain(String(local));
    await waitFor('the page served by the machine', LONG, async () => (await tab.locator('body').innerText()).includes('hello from dev'));
    await tab.close();
  });

  step('drops the port once the listener is gone', async () => {
    const r = await sshRun(client(), pg.id, 'dev', `kill ${listenerPid}`);
    expect(r.code).toBe(0);
    await (await portRow(PORT)).waitFor({ state: 'detached', timeout: PORT_SHOWS });
    await (await doc()).locator(PORTS_READ).waitFor({ state: 'visible', timeout: PORT_SHOWS });
    await wb.screenshot('port-gone');
  });

  step('stops reading ports while hidden behind another editor, and reads them again when shown', async () => {
    const log = () => (session!.extensionLog() ? fs.readFileSync(session!.extensionLog()!, 'utf8') : '');
    expect(log()).toContain(`panel ${pg.id}: reading ports every`);
    await wb.runCommand('File: New Untitled Text File');
    await waitFor('the port reads to pause', LONG, () => log().includes(`panel ${pg.id}: port reads paused`));
    await wb.screenshot('hidden');
    // Back to the panel: its webview is made again (no retainContextWhenHidden) and the
    // host starts reading at once.
    await wb.page.locator('.tabs-container .tab', { hasText: pg.id }).first().click();
    await waitFor('the port reads to resume', LONG, () => {
      const text = log();
      return text.lastIndexOf(`panel ${pg.id}: reading ports every`) > text.lastIndexOf(`panel ${pg.id}: port reads paused`);
    });
    await (await doc()).locator(PORTS_READ).waitFor({ state: 'visible', timeout: PORT_SHOWS });
  });

  step('extends the lifetime by an hour with the panel button', async () => {
    const before = Date.parse((await client().get(pg.id)).deadline);
    const d = await doc();
    await d.locator('button[data-action="extend"][data-minutes="60"]').click();
    const after = await waitFor('the agent to move the deadline', LONG, async () => {
      const deadline = Date.parse((await client().get(pg.id)).deadline);
      return deadline > before ? deadline : undefined;
    });
    expect(after - before).toBe(60 * 60_000);
    // ~2 h left plus one: the countdown now reads 2:5x:xx.
    await waitFor('the countdown to show the new deadline', 10_000, async () => /^2:5\d:\d\d$/.test(await d.locator('.countdown').innerText()));
    expect(await d.locator('.countdown').getAttribute('data-deadline')).toBe(new Date(after).toISOString());
    await wb.screenshot('extended');
  });

  step('comes back after a window reload', async () => {
    await wb.page.reload();
    await wb.waitReady();
    const d = await webviewFrameWith(wb.page, '.machine-card[data-machine="dev"]', LONG);
    expect(await d.locator('.playground-panel').getAttribute('data-playground')).toBe(pg.id);
    // The reloaded panel reads the ports again by itself (the listener is gone).
    await d.locator(PORTS_READ).waitFor({ state: 'visible', timeout: LONG });
    expect(await (await portRow(PORT)).count()).toBe(0);
    await wb.screenshot('reloaded');
  });

  step('opens from the Playgrounds tree context menu too', async () => {
    await wb.closeEditor(pg.id);
    await wb.showViewContainer('Sandlot');
    await wb.contextMenu(wb.sideBarRow(pg.id), 'Show Playground');
    await webviewFrameWith(wb.page, '.machine-card[data-machine="dev"][data-state="running"]', LONG);
    expect(await wb.page.locator('.tabs-container .tab', { hasText: pg.id }).count()).toBe(1);
    await wb.screenshot('from-tree');
  });

  step('opens a terminal in the machine from its card', async () => {
    const d = await doc();
    await d.locator('.machine-card[data-machine="dev"] button[data-machine-action="openTerminal"]').click();
    await wb.terminal(LONG);
    await waitFor('the shell prompt', LONG, async () => /[#$] *$/m.test(await wb.terminalText()));
    await wb.typeInTerminal('echo "on $(hostname)"');
    await waitFor('the command output', LONG, async () => (await wb.terminalText()).includes('on dev'));
    await wb.screenshot('terminal');
  });

  step('stops and starts the playground with the panel buttons, following its events', async () => {
    const d = await doc();
    await d.locator('button[data-action="lifecycle"][data-lifecycle="stop"]').click();
    await d.locator('.playground-panel[data-state="stopped"]').waitFor({ state: 'visible', timeout: LONG });
    await d.locator('.machine-card[data-machine="dev"][data-state="stopped"]').waitFor({ state: 'visible', timeout: LONG });
    expect(await d.locator('.machine-card[data-machine="dev"] .ports-section').innerText()).toContain('Ports are read while the machine runs.');
    expect(await d.locator('.machine-card[data-machine="dev"] button[data-machine-action="openTerminal"]').isDisabled()).toBe(true);
    await wb.screenshot('stopped');
    await d.locator('button[data-action="lifecycle"][data-lifecycle="start"]').click();
    // The machine's event comes before the playground's: wait for both states, in any order.
    await d.locator('.machine-card[data-machine="dev"][data-state="running"]').waitFor({ state: 'visible', timeout: LONG });
    await d.locator('.playground-panel[data-state="running"]').waitFor({ state: 'visible', timeout: LONG });
    await d.locator(PORTS_READ).waitFor({ state: 'visible', timeout: LONG });
  });

  step('destroys the playground with the panel button and says it is gone', async () => {
    const d = await doc();
    // A forward made after the reload (which restarted the extension host and its
    // listeners): SSH's banner comes through it now, and must not once the playground is gone.
    const ssh = (await portRow(22)).locator('button[data-action="forward"]:not([data-open])');
    await ssh.click();
    const sshLocal = Number(await (await portRow(22)).locator('.forward-local').getAttribute('data-local-port'));
    expect(await banner(sshLocal)).toMatch(/^SSH-2\.0-/);
    await d.locator('button[data-action="lifecycle"][data-lifecycle="destroy"]').click();
    await wb.clickDialogButton('Destroy');
    await d.locator('.pg-gone').waitFor({ state: 'visible', timeout: LONG });
    expect(await d.locator('.pg-gone').innerText()).toMatch(new RegExp(`${pg.id}.*(destroyed|gone)`));
    expect(await d.locator('.machine-card').count()).toBe(0);
    expect(await d.locator('.playground-panel').getAttribute('data-state')).toBe('gone');
    await expect(client().get(pg.id)).rejects.toThrow();
    await wb.screenshot('gone');
    // The playground's forward does not outlive it.
    await waitFor('the forward to close', LONG, async () =>
      banner(sshLocal).then(
        () => false,
        () => true,
      ),
    );
  });
});

/** The first line a TCP server sends (an SSH server's version banner). */
function banner(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let text = '';
    sock.setTimeout(10_000, () => sock.destroy(new Error(`no banner on 127.0.0.1:${port}`)));
    sock.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\n')) {
        sock.destroy();
        resolve(text.split('\n')[0].trim());
      }
    });
    sock.on('error', reject);
    sock.on('close', () => reject(new Error(`127.0.0.1:${port} closed without a banner`)));
  });
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}
