// The one protocol between the tutorial webview and the extension host. Both sides
// import it; each side receives through a handler map typed so that a message kind
// without a handler fails the build (see `Handlers`).
import type { ContentRecord, TaskRecord } from '../../host-agent/api/protocol';
import type { Page } from '../../host-agent/content/model';

/** What the webview needs to draw a content: sent whole on `ready` and on visibility. */
export interface TutorialView {
  playground: string;
  title: string;
  kind: string;
  content: ContentRecord | undefined;
  pages: Page[];
  /** Visible tasks only (helpers stripped by the host). */
  tasks: Record<string, TaskRecord>;
  /** Webview URIs of the content folder's files, by path relative to it (`__static__/x.png`). */
  assets: Record<string, string>;
}

/** Host → webview. */
export type ToWebview =
  | { kind: 'show'; view: TutorialView }
  /** No content is open (or its playground is gone). */
  | { kind: 'empty'; reason: string }
  | { kind: 'task'; task: TaskRecord }
  | { kind: 'contentState'; content: ContentRecord }
  /**
   * Reply to `submitInput` (`id` and `task` echoed): `ok` when the answer passed the
   * task's check; otherwise `message` says why (wrong answer, with the task's hint, or
   * the error that kept it from being checked).
   */
  | { kind: 'inputResult'; id: number; task: string; ok: boolean; message: string };

/** Webview → host. */
export type ToHost =
  | { kind: 'ready' }
  | { kind: 'runInTerminal'; command: string; machine?: string; interrupt?: boolean }
  | { kind: 'copy'; text: string }
  | { kind: 'submitInput'; id: number; task: string; value: string }
  | { kind: 'openLink'; url: string };

/** A handler for every kind of `M`; a missing kind is a compile error. */
export type Handlers<M extends { kind: string }> = {
  [K in M['kind']]: (message: Extract<M, { kind: K }>) => void;
};

const isMessage = (m: unknown): m is { kind: string } => typeof m === 'object' && m !== null && typeof (m as { kind?: unknown }).kind === 'string';

/**
 * Routes a received message to its handler. Returns false for anything that is not
 * one of our messages (other extensions' or VS Code's own posts reach the same window).
 */
export function dispatch<M extends { kind: string }>(handlers: Handlers<M>, message: unknown): boolean {
  if (!isMessage(message) || !Object.prototype.hasOwnProperty.call(handlers, message.kind)) return false;
  (handlers as Record<string, (m: unknown) => void>)[message.kind](message);
  return true;
}
