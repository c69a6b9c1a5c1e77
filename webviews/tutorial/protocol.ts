// The one protocol between the tutorial webview and the extension host. Both sides
// import it and talk through webviews/shared/channel.ts: notices go through handler
// maps that fail the build when a kind has no handler, and an answer to a question is a
// typed request whose result comes back to the one webview that asked.
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

/** The verdict on an answer: `ok` when it passed the task's check; otherwise `message` says why. */
export interface AnswerVerdict {
  ok: boolean;
  message: string;
}

export interface TutorialProtocol {
  toWebview:
    | { kind: 'show'; view: TutorialView }
    /** No content is open (or its playground is gone). */
    | { kind: 'empty'; reason: string }
    | { kind: 'task'; task: TaskRecord }
    | { kind: 'contentState'; content: ContentRecord };
  toHost:
    | { kind: 'ready' }
    | { kind: 'runInTerminal'; command: string; machine?: string; interrupt?: boolean }
    | { kind: 'copy'; text: string }
    | { kind: 'openLink'; url: string };
  requests: {
    /** Checks an answer to a user-input task (wrong answers get the task's hint). */
    submitInput: { params: { task: string; value: string }; result: AnswerVerdict };
  };
}

/** Host → webview notices. */
export type ToWebview = TutorialProtocol['toWebview'];
/** Webview → host notices. */
export type ToHost = TutorialProtocol['toHost'];
