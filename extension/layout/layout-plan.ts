// In what order a layout's tabs open, and which wait for a window reload. Adding the
// first folder to an empty window restarts the extension host (VS Code's rule for
// updateWorkspaceFolders), which would close every terminal the layout just opened: so
// in an empty window an `ide` tab goes first, alone, and the other tabs open after the
// restart. Pure, for tests.
import type { LayoutTab } from '../../host-agent/manifests/tabs';

export interface LayoutPlan {
  /** Opened now, in this order. */
  now: LayoutTab[];
  /** Opened by the next activation, after the window gained its first folder. */
  afterReload: LayoutTab[];
}

export function planLayout(tabs: readonly LayoutTab[], windowHasFolders: boolean): LayoutPlan {
  const ide = tabs.find((t) => t.kind === 'ide');
  if (windowHasFolders || !ide) return { now: [...tabs], afterReload: [] };
  return { now: [ide], afterReload: tabs.filter((t) => t !== ide) };
}
