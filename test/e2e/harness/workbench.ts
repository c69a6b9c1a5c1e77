// Drives the code-server workbench in Debian's Chromium through playwright-core.
// Selectors are VS Code's own DOM classes, the ones shared by every version the suite runs
// on (1.100 to 1.139); every wait is on a condition with a generous limit, since
// extension activation alone takes 4–9 s here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Page, type Locator } from 'playwright-core';
import { waitFor } from './util';

const CHROMIUM = '/usr/bin/chromium';
export const UI_TIMEOUT = 60_000;
/** Server start, workbench and extension host on a loaded 2-core host (1.139 is the slower), with room to spare. */
export const ACTIVATION_TIMEOUT = 240_000;
/** The text box of the quick input (palette, quick picks, input boxes, code-server's file dialog). */
const QUICK_INPUT = '.quick-input-widget .quick-input-box input';

export class Workbench {
  private shot = 0;

  private constructor(
    private readonly context: BrowserContext,
    readonly page: Page,
    private readonly artifacts: string,
  ) {}

  static async open(url: string, profileDir: string, artifacts: string): Promise<Workbench> {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; run: bash scripts/setup.d/70-e2e.sh`);
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      // Chromium's crash database and caches follow XDG dirs: keep them in the run dir.
      env: { ...process.env, XDG_CONFIG_HOME: path.join(profileDir, 'xdg-config'), XDG_CACHE_HOME: path.join(profileDir, 'xdg-cache') },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    context.setDefaultTimeout(UI_TIMEOUT);
    const page = context.pages()[0] ?? (await context.newPage());
    const wb = new Workbench(context, page, artifacts);
    await wb.goto(url);
    return wb;
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
    await this.waitReady();
  }

  /** The workbench is up when its status bar has rendered. */
  async waitReady(): Promise<void> {
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  }

  /**
   * Runs a command by its palette label (e.g. "Sandlot: Show Logs"). The palette lists
   * what was registered when it opened, and a remote extension host registers its
   * contributions seconds after the workbench shows, so reopen until the command appears.
   */
  async runCommand(label: string, timeoutMs = UI_TIMEOUT): Promise<void> {
    await (await this.paletteRow(label, timeoutMs)).click();
  }

  /**
   * Opens the palette with `label` typed and listed; the caller clicks it (benchmarks time
   * that). The palette closes when something else takes the focus (1.139's chat view does
   * while the window starts): then it is opened again, never waited on while closed.
   */
  async paletteRow(label: string, timeoutMs = UI_TIMEOUT): Promise<Locator> {
    const deadline = Date.now() + timeoutMs;
    const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first();
    for (;;) {
      const input = await this.openPalette();
      const typed = await input
        .fill(`>${label}`, { timeout: 3_000 })
        .then(async () => (await input.inputValue({ timeout: 1_000 })) === `>${label}`)
        .catch(() => false);
      if (
        typed &&
        (await row.waitFor({ state: 'visible', timeout: 4_000 }).then(
          () => true,
          () => false,
        ))
      )
        return row;
      if (Date.now() > deadline) throw new Error(`the command palette never listed "${label}"`);
      await this.page.keyboard.press('Escape');
    }
  }

  async openPalette(): Promise<Locator> {
    const input = this.page.locator(QUICK_INPUT);
    // F1 only works once the workbench has keyboard focus; retry until the widget shows.
    for (let i = 0; i < 20; i++) {
      if (!(await input.isVisible())) {
        await this.page
          .locator('.monaco-workbench')
          .click({ position: { x: 700, y: 10 } })
          .catch(() => {});
        await this.page.keyboard.press('F1');
      }
      if (
        await input.waitFor({ state: 'visible', timeout: 3_000 }).then(
          () => true,
          () => false,
        )
      )
        return input;
    }
    throw new Error('the command palette did not open');
  }

  /** Picks an item in an open quick pick by its label. */
  async pick(label: string | RegExp): Promise<void> {
    const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ state: 'visible' });
    await row.click();
  }

  /** Types into an open input box, checks it holds exactly that, and accepts it. */
  async answerInput(text: string): Promise<void> {
    const input = this.page.locator(QUICK_INPUT);
    await input.waitFor({ state: 'visible' });
    await this.setInputValue(input, text);
    await input.press('Enter');
  }

  /**
   * Sets an input's value and waits until it reads back unchanged: a widget that fills in
   * its own value late (code-server's folder dialog) would otherwise overwrite ours after
   * we typed, or leave our text with its own appended.
   */
  async setInputValue(input: Locator, text: string, what = 'the input'): Promise<void> {
    await waitFor(`${what} to hold ${JSON.stringify(text)}`, UI_TIMEOUT, async () => {
      if ((await input.inputValue()) !== text) await input.fill(text);
      // Read it back after the widget had a chance to react to the change.
      await this.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      return (await input.inputValue()) === text;
    });
  }

  /**
   * Picks a folder in code-server's own open dialog (a quick input over the server's
   * files, listing folders only). The dialog fills in its start path by itself, on some
   * versions after the input shows and even after we typed: wait for its first value, set
   * ours and read it back, wait for the listing of that folder, and check the value again
   * before each Enter (Enter while the dialog is still listing is ignored).
   */
  async chooseFolder(dir: string): Promise<void> {
    const input = this.page.locator(QUICK_INPUT);
    const widget = this.page.locator('.quick-input-widget');
    const wanted = dir.endsWith('/') ? dir : `${dir}/`;
    await input.waitFor({ state: 'visible' });
    await waitFor('the folder dialog to show its start path', UI_TIMEOUT, async () => (await input.inputValue()).length > 0);
    await this.setInputValue(input, wanted, 'the folder dialog');
    await this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: '..' }).first().waitFor({ state: 'visible' });
    await waitFor(`the folder dialog to accept ${wanted}`, UI_TIMEOUT, async () => {
      if (!(await widget.isVisible())) return true;
      if ((await input.inputValue().catch(() => wanted)) !== wanted) {
        await this.setInputValue(input, wanted, 'the folder dialog');
        return false;
      }
      await input.press('Enter').catch(() => undefined);
      return widget.waitFor({ state: 'hidden', timeout: 1_000 }).then(
        () => true,
        () => false,
      );
    });
  }

  /** A toast with `text`, for clicking its buttons; `waitNotification` to only see that it was shown. */
  notification(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  }

  /**
   * Waits until a notification with `text` has been shown: as a toast, or in the notification
   * centre. VS Code hides an info toast 15 s after it shows while the window has focus, and
   * sends toasts beyond 3 in 800 ms straight to the centre: on a loaded host a check can look
   * later than that. The centre is read between 15 s waits on the toasts (opening it hides
   * them, so not more often). A timeout says what the toasts and the centre held.
   */
  async waitNotification(text: string | RegExp, timeoutMs = UI_TIMEOUT): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const has = (message: string) => (typeof text === 'string' ? message.includes(text) : text.test(message));
    for (;;) {
      const slice = Math.max(1_000, Math.min(15_000, deadline - Date.now()));
      const toast = this.notification(text).waitFor({ state: 'visible', timeout: slice });
      if (
        await toast.then(
          () => true,
          () => false,
        )
      )
        return;
      const centre = await this.notificationCentre();
      if (centre.some(has)) return;
      if (Date.now() >= deadline) {
        const toasts = await this.page.locator('.notifications-toasts .notification-toast').allInnerTexts();
        const list = (texts: string[]) => (texts.length ? texts.map((t) => JSON.stringify(t.replace(/\s+/g, ' '))).join(', ') : 'none');
        throw new Error(`timed out after ${timeoutMs} ms waiting for a notification ${String(text)}; toasts: ${list(toasts)}; centre: ${list(centre)}`);
      }
    }
  }

  /** The messages in the notification centre, read by opening it with the status bar's bell and closing it again. */
  async notificationCentre(): Promise<string[]> {
    const bell = this.page.locator('#status\\.notifications').first();
    const centre = this.page.locator('.notifications-center');
    await bell.click();
    await centre.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
    const messages = await centre.locator('.notification-list-item-message').allInnerTexts();
    if (await centre.isVisible()) await bell.click();
    return messages;
  }

  /** Clicks a button of a modal dialog (code-server renders them in the DOM). */
  async clickDialogButton(label: string): Promise<void> {
    const button = this.page.locator('.monaco-dialog-box .dialog-buttons a.monaco-button', { hasText: label }).first();
    await button.waitFor({ state: 'visible' });
    await button.click();
  }

  /** Text shown in the visible Output panel's editor. */
  async outputText(): Promise<string> {
    return (await this.page.locator('.part.panel .output-view .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
  }

  /** The active terminal's xterm, once it shows. */
  async terminal(timeoutMs = UI_TIMEOUT): Promise<Locator> {
    const term = this.page.locator('.terminal-wrapper.active .xterm').first();
    await term.waitFor({ state: 'visible', timeout: timeoutMs });
    return term;
  }

  /** Text of the active terminal (the DOM renderer: settings turn GPU acceleration off). */
  async terminalText(): Promise<string> {
    const rows = this.page.locator('.terminal-wrapper.active .xterm-rows').first();
    if (!(await rows.count())) return '';
    return (await rows.innerText()).replace(/\u00a0/g, ' ');
  }

  /** Text of the active editor as rendered (visible lines). */
  async editorText(): Promise<string> {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    return (await lines.innerText()).replace(/\u00a0/g, ' ');
  }

  /**
   * Types into the active editor as a person does: click into its text (1.139 takes keys
   * through its native edit context, not the hidden textarea older versions use), type,
   * then wait until the editor shows `expected` (default: the text typed into an empty
   * document), so a lost key fails here and not three steps later.
   */
  async typeInEditor(text: string, expected = text): Promise<void> {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    await lines.waitFor({ state: 'visible' });
    await lines.click();
    await waitFor('the editor to take keyboard focus', UI_TIMEOUT, () =>
      this.page.evaluate(() => !!document.activeElement?.closest('.editor-group-container.active .monaco-editor')),
    );
    await this.page.keyboard.type(text);
    await waitFor(`the editor to read ${JSON.stringify(expected)}`, UI_TIMEOUT, async () => (await this.editorText()).trimEnd() === expected);
  }

  /**
   * Runs a command line in the active terminal as a person does: click into it, type the
   * line, wait until the terminal shows it after the prompt (a key typed before the shell
   * reads is otherwise lost or doubled), then press Enter.
   */
  async typeInTerminal(line: string): Promise<void> {
    await (await this.terminal()).click();
    await this.page.keyboard.type(line);
    await waitFor(`the terminal to echo ${JSON.stringify(line)}`, UI_TIMEOUT, async () => endsWithTyped(await this.terminalText(), line));
    await this.page.keyboard.press('Enter');
  }

  /** The tab of an open editor, by its visible title. */
  editorTab(title: string | RegExp): Locator {
    return this.page.locator('.tabs-container .tab', { hasText: title }).first();
  }

  /**
   * Closes an editor as a person does without hunting for the tab's close icon (its DOM
   * differs between versions): select the tab, then "View: Close Editor"; waits until
   * the tab is gone.
   */
  async closeEditor(title: string | RegExp): Promise<void> {
    const tab = this.editorTab(title);
    await tab.click();
    await waitFor('the tab to be the active one', UI_TIMEOUT, async () => /\bactive\b/.test((await tab.getAttribute('class')) ?? ''));
    await this.runCommand('View: Close Editor');
    await this.page.locator('.tabs-container .tab', { hasText: title }).waitFor({ state: 'detached' });
  }

  /** A row of a tree or list in the side bar, by its visible text. */
  sideBarRow(text: string | RegExp): Locator {
    return this.page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();
  }

  /**
   * Opens a row's context menu and clicks an entry. A menu holds the entries of the row's
   * state when it opened (the tree follows the agent by polling, so a row can still say
   * "starting" for a moment): until the entry is there, close the menu and open it again.
   */
  async contextMenu(row: Locator, entry: string): Promise<void> {
    const item = this.page.locator('.context-view .monaco-menu .action-item', { hasText: entry }).first();
    await waitFor(
      `the context menu to offer ${JSON.stringify(entry)}`,
      UI_TIMEOUT,
      async () => {
        await row.click({ button: 'right' });
        // The menu's entries render a moment after the menu itself: give them time before
        // calling the menu stale (closing and reopening at once can lose the row's context).
        const offered = await item.waitFor({ state: 'visible', timeout: 5_000 }).then(
          () => true,
          () => false,
        );
        if (!offered) await this.page.keyboard.press('Escape');
        return offered;
      },
      1_000,
    );
    // VS Code's menus ignore a mouse-up that comes right after they open; hover to
    // focus the entry and accept it with Enter instead.
    await item.hover();
    await this.page.keyboard.press('Enter');
  }

  /** Clicks a view container in the activity bar by its title. */
  async showViewContainer(title: string): Promise<void> {
    const link = this.page.locator(`.activitybar .action-item a[aria-label^="${title}"]`).first();
    const item = this.page.locator('.activitybar .action-item', { has: this.page.locator(`a[aria-label^="${title}"]`) }).first();
    const sidebarVisible = await this.page.locator('.part.sidebar').isVisible();
    // Clicking the active container hides the side bar; only click when it is not shown.
    if (sidebarVisible && /\bchecked\b/.test((await item.getAttribute('class')) ?? '')) return;
    await link.click();
  }

  /** Saves a numbered screenshot in the suite's artifacts directory. */
  async screenshot(step: string): Promise<string> {
    this.shot += 1;
    const file = path.join(this.artifacts, `${String(this.shot).padStart(2, '0')}-${step}.png`);
    await this.page.screenshot({ path: file }).catch(() => {});
    return file;
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => {});
  }
}

/**
 * The document of the (first) tutorial webview: it sits two iframes deep, VS Code's host
 * frame and then the content frame.
 */
export function tutorialFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame');
}

/**
 * The document of the webview (sidebar view or editor panel) that shows `selector`: with
 * several webviews open, the first one is not necessarily ours. Waits until one does.
 */
export async function webviewFrameWith(page: Page, selector: string, timeoutMs = UI_TIMEOUT): Promise<FrameLocator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hosts = page.frameLocator('iframe.webview.ready');
    const n = await page.locator('iframe.webview.ready').count();
    for (let i = 0; i < n; i++) {
      const doc = hosts.nth(i).frameLocator('iframe#active-frame');
      if (
        (await doc
          .locator(selector)
          .count()
          .catch(() => 0)) > 0
      )
        return doc;
    }
    if (Date.now() > deadline) throw new Error(`no webview showed ${selector} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Whether the terminal's last line (joined with the rows a long line wrapped onto) ends with what was typed. */
function endsWithTyped(text: string, typed: string): boolean {
  const rows = text
    .split('\n')
    .map((r) => r.trimEnd())
    .filter((r) => r.length > 0);
  for (let n = 1; n <= Math.min(rows.length, 4); n++) {
    if (rows.slice(-n).join('').endsWith(typed)) return true;
  }
  return false;
}
