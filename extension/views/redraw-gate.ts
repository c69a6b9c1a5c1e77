// A tree view redraws only when what it shows changed, and once for changes that arrive
// together. Why: refreshing a tree makes VS Code forget the rows it handed out until it
// has read them again, and a row's menu command run in that moment arrives without its
// row (the command then asks which one instead). Playground changes come in pairs (the
// list, then the snapshots read because of it) and the time left ticks: refreshing on
// every event meant a forgotten row twice per change and every 30 s.
import type * as vscode from 'vscode';

/** How long to wait for the rest of a burst of changes before drawing. */
const SETTLE_MS = 100;

export class RedrawGate implements vscode.Disposable {
  private shown: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * `render`: what the view would show now, as text (equal text, equal view);
   * `redraw`: refreshes the view.
   */
  constructor(
    private readonly render: () => string,
    private readonly redraw: () => void,
    private readonly settleMs = SETTLE_MS,
  ) {}

  /** Something the view shows may have changed: once things settle, redraw if it did. */
  poke(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const now = this.render();
      if (now === this.shown) return;
      this.shown = now;
      this.redraw();
    }, this.settleMs);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
