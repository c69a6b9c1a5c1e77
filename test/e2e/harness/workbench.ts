// Drives the code-server workbench in Debian's Chromium through playwright-core.
// Selectors are VS Code's own DOM classes (stable across 1.9x); every wait is on a
// condition with a generous limit, since extension activation alone takes 4–9 s here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Page, type Locator } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
export const UI_TIMEOUT = 60_000;

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

  /** Opens the palette with `label` typed and listed; the caller clicks it (benchmarks time that). */
  async paletteRow(label: string, timeoutMs = UI_TIMEOUT): Promise<Locator> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const input = await this.openPalette();
      await input.fill(`>${label}`);
      const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first();
      if (
        await row.waitFor({ state: 'visible', timeout: 4_000 }).then(
          () => true,
          () => false,
        )
      )
        return row;
      await input.press('Escape');
      if (Date.now() > deadline) throw new Error(`the command palette never listed "${label}"`);
    }
  }

  async openPalette(): Promise<Locator> {
    const input = this.page.locator('.quick-input-widget input');
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

  /** Types into an open input box and accepts it. */
  async answerInput(text: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(text);
    await input.press('Enter');
  }

  /**
   * Picks a folder in code-server's own open dialog (a quick input over the server's
   * files, listing folders only): waits for the dialog to fill in its starting path
   * (typing earlier is overwritten), types ours, waits for the listing, then accepts.
   */
  async chooseFolder(dir: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await this.page.waitForFunction((el) => (el as HTMLInputElement).value.length > 0, await input.elementHandle(), { timeout: UI_TIMEOUT });
    await input.fill(dir.endsWith('/') ? dir : `${dir}/`);
    await this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: '..' }).first().waitFor({ state: 'visible' });
    // Enter while the dialog still lists the folder is ignored: accept until it closes.
    const widget = this.page.locator('.quick-input-widget');
    for (let i = 0; i < 20 && (await widget.isVisible()); i++) {
      await input.press('Enter').catch(() => undefined);
      await widget.waitFor({ state: 'hidden', timeout: 1_000 }).catch(() => undefined);
    }
    if (await widget.isVisible()) throw new Error(`the folder dialog did not accept ${dir}`);
  }

  notification(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
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

  /** Text of the active editor. */
  async editorText(): Promise<string> {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
    return (await lines.innerText()).replace(/\u00a0/g, ' ');
  }

  /** A row of a tree or list in the side bar, by its visible text. */
  sideBarRow(text: string | RegExp): Locator {
    return this.page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();
  }

  /** Opens a row's context menu and clicks an entry. */
  async contextMenu(row: Locator, entry: string): Promise<void> {
    await row.click({ button: 'right' });
    const item = this.page.locator('.context-view .monaco-menu .action-item', { hasText: entry }).first();
    await item.waitFor({ state: 'visible' });
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
