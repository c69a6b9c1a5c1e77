// The one content model every format (iximiuz Labs, Killercoda) is read into: a document
// tree a webview can render without knowing markdown, plus the task specs the task
// engine runs. Plain data only (no Node imports) so webviews/ can import these types.
import type { ManifestInput } from '../manifests/schema';

export type PlaygroundSection = ManifestInput['playground'];

/** Content that runs on a playground of its own. */
export type ContentKind = 'tutorial' | 'challenge' | 'scenario' | 'lesson';
export type ContentFormat = 'iximiuz' | 'killercoda';

export interface Content {
  /** Short name: the folder name (`linux-basics`). */
  name: string;
  kind: ContentKind;
  format: ContentFormat;
  title: string;
  description: string;
  /** Absolute path of the folder the content was read from. */
  dir: string;
  playground: ContentPlayground;
  /** By task name. */
  tasks: Record<string, TaskSpec>;
  /** One page for iximiuz content; intro, steps and finish for Killercoda; a lesson's units. */
  pages: Page[];
  /**
   * Images and `__static__` files the agent checked (inside the content folder — or a
   * Killercoda scenario repository —, regular files, within the size caps), relative to
   * `dir` with `/`. Only these may be shown.
   */
  assets?: string[];
}

/** What a list shows of a content folder: read from its index only (no markdown parse). */
export interface ContentHeader {
  name: string;
  kind: string;
  format: 'iximiuz' | 'killercoda';
  title: string;
  description: string;
  /** Template of its playground, when it has one. */
  template?: string;
  dir: string;
}

/** Content without its pages: what starting it and running its tasks needs. */
export type ContentMeta = Omit<Content, 'pages'> & { pageCount: number };

export function contentMeta(content: Content): ContentMeta {
  const { pages, ...meta } = content;
  return { ...meta, pageCount: pages.length };
}

export interface ContentPlayground {
  /** Catalog template the playground is based on (`playground.name`). */
  template: string;
  /**
   * The rest of `playground:` as the manifest schema read it: machines (a subset of the
   * template's, tweaked), networks, tabs, registryAuth, … Applied like a manifest's `base`.
   */
  section?: PlaygroundSection;
}

export type TaskKind = 'init' | 'regular' | 'helper';

export interface TaskSpec {
  name: string;
  kind: TaskKind;
  /** Unset: the playground's first machine. */
  machine?: string;
  /** Default `root`. */
  user: string;
  run: string;
  needs: string[];
  /** `KEY=VALUE` lines; values may hold `x(.needs.<task>.stdout|stderr)` and `x(.input)`. */
  env: string[];
  timeoutSeconds?: number;
  /** Output becomes the task's live hint while the task has not passed. */
  hintcheck?: string;
  /** Exit code other than 0 marks the task, and the content, failed. */
  failcheck?: string;
  /** Set for tasks that wait for the learner's answer (`::user-input-task`). */
  input?: { destination?: string };
}

export interface Page {
  title: string;
  blocks: Block[];
}

export type Block =
  | { type: 'heading'; depth: number; children: Inline[] }
  | { type: 'paragraph'; children: Inline[] }
  | CodeBlock
  | { type: 'list'; ordered: boolean; start?: number; items: ListItem[] }
  | { type: 'blockquote'; children: Block[] }
  | { type: 'thematicBreak' }
  | { type: 'table'; align: ('left' | 'right' | 'center' | null)[]; rows: Inline[][][] }
  /** Raw HTML from the markdown: the renderer must sanitize or show it as text. */
  | { type: 'html'; value: string }
  | TaskBlock
  | BoxBlock
  | ImageBlock
  /** An MDC component Sandlot does not know: render its children. */
  | { type: 'component'; name: string; attributes: Record<string, string>; children: Block[] };

export interface ListItem {
  checked?: boolean;
  children: Block[];
}

export type CodeAction = 'run' | 'copy';

export interface CodeBlock {
  type: 'code';
  lang?: string;
  value: string;
  actions: CodeAction[];
  /** Killercoda `foreground` scripts: run in the terminal when the page opens. */
  autoRun?: boolean;
  /** `{{exec interrupt}}`: send Ctrl-C before the command. */
  interrupt?: boolean;
}

/** `::simple-task` / `::user-input-task` or a Killercoda step's verify script. */
export interface TaskBlock {
  type: 'task';
  task: string;
  /** A user-input task: shows an answer box that submits to the task. */
  input: boolean;
  /** Slots by name (`active`, `completed`, `failed`, …); `default` holds unslotted content. */
  slots: Record<string, Block[]>;
}

export interface BoxBlock {
  type: 'box';
  box: 'hint' | 'remark' | 'details';
  /** `:title:` / `:summary:` */
  title?: string;
  /** remark-box `:color:` or similar, passed through for styling. */
  variant?: string;
  children: Block[];
}

export interface ImageBlock {
  type: 'image';
  /** Path relative to the content folder (`__static__/x.png`) or an http(s) URL. */
  src: string;
  alt: string;
  title?: string;
  width?: string;
}

export type Inline =
  | { type: 'text'; value: string }
  | { type: 'strong' | 'emphasis' | 'delete'; children: Inline[] }
  | { type: 'inlineCode'; value: string; actions?: CodeAction[]; interrupt?: boolean }
  | { type: 'link'; url: string; title?: string; children: Inline[] }
  | { type: 'image'; src: string; alt: string; title?: string }
  | { type: 'break' }
  | { type: 'html'; value: string };

// ---- content that is read, not run: skill paths and courses ----

/** What a unit or page embeds, by the kind of its front matter map (`challenges:`, …). */
export type ContentRefKind = 'challenge' | 'tutorial' | 'skill-path' | 'course' | 'lesson' | 'roadmap' | 'playground';

export interface ContentRef {
  kind: ContentRefKind;
  /** As written (`kubernetes_pod_with_faulty_init_sequence` or with dashes). */
  name: string;
  /** Found in the local content catalog: its folder and title. */
  found?: { source: string; title: string; kind: string };
}

/** `kind: skill-path`: an intro and ordered units, each pointing at other content. */
export interface SkillPath extends CollectionHeader {
  kind: 'skill-path';
  /** In the order of their file names (`unit-10.md`, `unit-20.md`, …). */
  units: SkillPathUnit[];
}

/** What every iximiuz Labs collection (skill path, course) has around its parts. */
export interface CollectionHeader {
  format: 'iximiuz';
  /** Its folder's name. */
  name: string;
  title: string;
  description: string;
  dir: string;
  /** The body of index.md. */
  intro: Page;
  assets?: string[];
}

export interface SkillPathUnit {
  /** `unit-10.md` */
  file: string;
  name: string;
  title: string;
  page: Page;
  refs: ContentRef[];
}

/** `kind: course`: modules of lessons of units, from numbered folders. */
export interface Course extends CollectionHeader {
  kind: 'course';
  modules: CourseModule[];
}

export interface CourseModule {
  name: string;
  title: string;
  description: string;
  /** Folder relative to the course (`020.getting-started`); `.` for lessons placed in the course folder itself. */
  path: string;
  lessons: CourseLesson[];
}

export interface CourseLesson {
  name: string;
  title: string;
  description: string;
  /** Folder relative to the course (`020.getting-started/10.for-beginners`); start it with `content start <course>/<path>`. */
  path: string;
  /** One page per unit, in order. */
  pages: Page[];
  /** Template of the lesson's playground, when it has one (then its tasks run there). */
  template?: string;
  /** Task names by kind, for progress (the specs come with the lesson itself). */
  tasks: { name: string; kind: TaskKind }[];
  refs: ContentRef[];
}

/** Anything a content folder can hold. */
export type ContentDocument = Content | SkillPath | Course;

export function isRunnable(doc: ContentDocument): doc is Content {
  return doc.kind !== 'skill-path' && doc.kind !== 'course';
}
