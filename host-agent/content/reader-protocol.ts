// Messages between the agent (or CLI) and the content reader worker (reader-worker.ts):
// the worker reads and parses content folders so that a hostile or huge one costs a
// bounded worker, never the agent's event loop. Plain data only (structured clone).
import type { ContentProblem } from './errors';
import type { ContentLimits } from './limits';
import type { PlaygroundManifest } from '../manifests/schema';
import type { ContentHeader, ContentMeta } from './model';
import type { SolutionSearch } from './solution';

/** Template name → its machine names: the catalog as validation needs it. */
export type CatalogSnapshot = Record<string, string[]>;

export interface ReadRequest {
  /** Content folders to read, each on its own. */
  dirs: string[];
  catalog: CatalogSnapshot;
  /** The template manifests, so `playground:` is checked as the manifest it becomes. */
  templates: Record<string, PlaygroundManifest>;
  /** Folders whose content skill paths may refer to (built-ins, `$SANDLOT_HOME/content`, …). */
  library: string[];
  /** `full`: the whole document; `summary`: front matter only (for lists); `test`: the document and its solutions. */
  mode: 'full' | 'summary' | 'test';
  limits: ContentLimits;
}

export interface ReadResult {
  dir: string;
  problems: ContentProblem[];
  /** Title, kind, template: in both modes when the index could be read. */
  header?: ContentHeader;
  /** `full` mode, runnable content (tutorial, challenge, scenario, lesson): everything but the pages. */
  meta?: ContentMeta;
  /**
   * `full` mode: the whole document as JSON text. It crosses to the agent as one string
   * (a copy, not a tree to rebuild) and goes out in API answers as it is, so a large
   * document costs the agent's event loop no parse and no serialization.
   */
  json?: string;
  /** `test` mode, runnable content: the solutions `sandlot content test` applies. */
  solutions?: SolutionSearch;
}

/** First the worker says which thread it is (for its CPU time), then it answers once. */
export type ReadReply = { kind: 'started'; tid: number } | { kind: 'done'; ok: true; results: ReadResult[] } | { kind: 'done'; ok: false; error: string };
