import type * as vscode from 'vscode';

/**
 * Owns disposables. Adding to a store that is already disposed disposes the item at
 * once, so a registration that completes after deactivation (late async work) leaks
 * nothing.
 */
export class DisposableStore implements vscode.Disposable {
  private readonly items = new Set<vscode.Disposable>();
  private disposed = false;

  add<T extends vscode.Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.add(item);
    return item;
  }

  /** Stops owning an item without disposing it (e.g. it disposed itself). */
  delete(item: vscode.Disposable): void {
    this.items.delete(item);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (const item of [...this.items].reverse()) {
      try {
        item.dispose();
      } catch (err) {
        errors.push(err);
      }
    }
    this.items.clear();
    if (errors.length > 0) throw new AggregateError(errors, 'some disposables failed to dispose');
  }
}

/** A `vscode.Disposable` from a plain function, without importing the vscode module. */
export function toDisposable(fn: () => void): vscode.Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}
