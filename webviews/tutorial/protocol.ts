// The one protocol between the tutorial webview and the extension host. Both sides
// import it and talk through webviews/shared/channel.ts: notices go through handler
// maps that fail the build when a kind has no handler, and an answer to a question is a
// typed request whose result comes back to the one webview that asked.
import type { ContentRecord, TaskRecord } from '../../host-agent/api/protocol';
import type { ContentRefKind, Page } from '../../host-agent/content/model';

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
  /** The skill path or course this content was started from (a way back to it). */
  from?: { title: string };
}

/** Where a skill path unit's reference stands for this learner (from the agent's playgrounds). */
export type RefState = 'not-started' | 'running' | 'completed' | 'missing' | 'elsewhere';

/** One tutorial/challenge (or other content) a skill path unit points at. */
export interface PathRefView {
  kind: ContentRefKind;
  name: string;
  /** Its title when found, else the name as written. */
  title: string;
  state: RefState;
  /** Folder to start it from (what `startContent` gets), when it can be started. */
  source?: string;
  /** The playground that runs it (running or completed), newest first. */
  playground?: string;
}

export interface PathUnitView {
  file: string;
  title: string;
  page: Page;
  refs: PathRefView[];
  /** Every reference that can be done is completed (a unit with none cannot be). */
  done: boolean;
}

/** A skill path: its intro and its units in order, each with where its content stands. */
export interface PathView {
  type: 'skill-path';
  /** The folder it was read from: identifies it across reloads. */
  dir: string;
  title: string;
  description: string;
  intro: Page;
  units: PathUnitView[];
  assets: Record<string, string>;
}

export interface CourseLessonView {
  title: string;
  description: string;
  /** Folder relative to the course: the lesson's id for navigation. */
  path: string;
  pages: Page[];
  /** The lesson's folder when it declares a playground (then it can be started). */
  source?: string;
  taskCount: number;
}

export interface CourseModuleView {
  title: string;
  description: string;
  path: string;
  lessons: CourseLessonView[];
}

/** A course: read-only pages (its intro, then each lesson), lessons with a playground startable. */
export interface CourseView {
  type: 'course';
  dir: string;
  title: string;
  description: string;
  intro: Page;
  modules: CourseModuleView[];
  assets: Record<string, string>;
}

/** One entry of the agent's content catalog, as the empty view lists it. */
export interface CatalogEntry {
  title: string;
  kind: string;
  /** Its folder: what the view sends back to open it. */
  source: string;
}

/** Content that is read, not run: a skill path or a course. */
export type ReadingView = PathView | CourseView;

/** The verdict on an answer: `ok` when it passed the task's check; otherwise `message` says why. */
export interface AnswerVerdict {
  ok: boolean;
  message: string;
}

export interface TutorialProtocol {
  toWebview:
    | { kind: 'show'; view: TutorialView }
    /** No content is open (or its playground is gone). */
    | { kind: 'empty'; reason: string; catalog?: CatalogEntry[] }
    /** A skill path or course (sent whole again whenever the states of its content change). */
    | { kind: 'showReading'; view: ReadingView }
    | { kind: 'task'; task: TaskRecord }
    | { kind: 'contentState'; content: ContentRecord };
  toHost:
    | { kind: 'ready' }
    | { kind: 'runInTerminal'; command: string; machine?: string; interrupt?: boolean }
    | { kind: 'copy'; text: string }
    | { kind: 'openLink'; url: string }
    /** Start content a skill path or course offers (one of its `source`s) and show it. */
    | { kind: 'startContent'; source: string }
    /** Show the content a playground runs (a skill path reference already started). */
    | { kind: 'openPlayground'; playground: string }
    /** Back to the skill path or course the shown content was started from (`TutorialView.from`). */
    | { kind: 'openReading' }
    /** Open an entry of the catalog the empty view lists: read a skill path or course, start the rest. */
    | { kind: 'openCatalogEntry'; source: string };
  requests: {
    /** Checks an answer to a user-input task (wrong answers get the task's hint). */
    submitInput: { params: { task: string; value: string }; result: AnswerVerdict };
  };
}

/** Host → webview notices. */
export type ToWebview = TutorialProtocol['toWebview'];
/** Webview → host notices. */
export type ToHost = TutorialProtocol['toHost'];
