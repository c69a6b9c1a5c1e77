// What `sandlot content test` applies to a fresh playground to solve a content: its
// solution, read from the content folder the way authors write it.
// - iximiuz Labs: `.solution.sh` / `.solution-NN.sh` (the CI-facing scripts its own tester
//   runs: `# session: [user@]machine [retry=N]` lines split them into chunks per machine;
//   `examinerctl task wait|input` inside them), else the shell blocks of `solution.md` /
//   `solution-NN.md` (the human-facing write-up), else the shell blocks of the `index.md`
//   boxes titled "Solution" (`::details-box` with `:summary: Solution`).
// - Killercoda: per step, the step's solution file (`"solution"` on the step in index.json,
//   or `solution.sh` in the step's folder), else the step's `{{exec}}` blocks (and its
//   foreground script, which the learner's terminal runs too); after each step, its verify
//   task must pass before the next step is applied, as the learner could not go on before.
// Plain data: it crosses from the content reader worker as structured clone.
import * as path from 'node:path';
import { z } from 'zod';
import type { ContentProblem } from './errors';
import { ContentFileError, type ContentFiles } from './files';
import { KILLERCODA_INDEX } from './library';
import { parseMarkdown } from './markdown';
import type { Block, Content, Inline } from './model';

/** One thing the test does to apply a solution. */
export type SolutionStep =
  | {
      kind: 'run';
      /** Unset: the playground's first machine. */
      machine?: string;
      /** Unset: the machine's default user. */
      user?: string;
      script: string;
      /**
       * `strict`: `set -euo pipefail` (and `-x`) as iximiuz Labs' tester injects into its
       * scripts; `terminal`: every command runs, as typed into a terminal, none stops the rest.
       */
      mode: 'strict' | 'terminal';
      /** Re-run from the top until it exits 0, at most this many more times (`# session: … retry=N`). */
      retry?: number;
      /** For progress and reports: `chunk 2 (# session: root@node-01)`, `step 1`. */
      label: string;
    }
  | { kind: 'wait'; task: string; label: string };

export interface Solution {
  /** `.solution.sh`, `solution-02.md`, `index.json steps` … */
  name: string;
  /** Where it came from, for messages: file names relative to the content folder. */
  source: string;
  steps: SolutionStep[];
}

export interface SolutionSearch {
  solutions: Solution[];
  problems: ContentProblem[];
  /** What was looked for when nothing was found (for the "no solution" message). */
  lookedFor: string[];
}

const SCRIPT_FILE = /^\.solution(-\d+)?\.sh$/;
const MARKDOWN_FILE = /^solution(-\d+)?\.md$/;
const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'zsh']);

/** `# session: [user@]machine [retry[=N]]` */
const SESSION_LINE = /^#\s*session:\s*(?:([a-z_][a-z0-9_-]*)@)?([A-Za-z0-9][A-Za-z0-9._-]*)((?:\s+[a-z]+(?:=\d+)?)*)\s*$/;

/**
 * Splits an iximiuz Labs solution script at its `# session:` lines. What comes before the
 * first one runs on the default machine as its default user. Problems name the line.
 */
export function parseSolutionScript(text: string, file: string, problems: ContentProblem[]): SolutionStep[] {
  const steps: SolutionStep[] = [];
  let current: { machine?: string; user?: string; retry?: number; line: number; header: string; lines: string[] } = { line: 1, header: '', lines: [] };
  const flush = () => {
    const script = current.lines.join('\n');
    // Nothing but comments (a header above the first session line): nothing to run.
    if (current.lines.every((l) => l.trim() === '' || l.trim().startsWith('#'))) return;
    const where = current.header ? ` (${current.header})` : '';
    steps.push({
      kind: 'run',
      ...(current.machine ? { machine: current.machine } : {}),
      ...(current.user ? { user: current.user } : {}),
      script,
      mode: 'strict',
      ...(current.retry !== undefined ? { retry: current.retry } : {}),
      label: `chunk ${steps.length + 1}${where}, line ${current.line}`,
    });
  };
  text.split(/\r?\n/).forEach((line, i) => {
    if (!/^#\s*session:/.test(line)) {
      current.lines.push(line);
      return;
    }
    const m = SESSION_LINE.exec(line);
    if (!m) {
      problems.push({ file, where: `line ${i + 1}`, message: `expected "# session: [user@]machine [retry=N]", got ${JSON.stringify(line.trim())}` });
      current.lines.push(line);
      return;
    }
    flush();
    let retry: number | undefined;
    for (const flag of m[3].trim().split(/\s+/).filter(Boolean)) {
      const [name, value] = flag.split('=');
      if (name === 'retry') retry = value === undefined ? 1 : Number(value);
      else problems.push({ file, where: `line ${i + 1}`, message: `unknown session flag "${name}" (expected retry or retry=N)` });
    }
    current = {
      machine: m[2],
      ...(m[1] ? { user: m[1] } : {}),
      ...(retry !== undefined ? { retry } : {}),
      line: i + 2,
      header: line.trim().replace(/^#\s*/, '# '),
      lines: [],
    };
  });
  flush();
  return steps;
}

/** The commands of shell code blocks, in document order (boxes, lists and task slots included). */
export function shellBlocks(blocks: Block[], runnable: (lang: string | undefined, actions: string[]) => boolean): string[] {
  const out: string[] = [];
  const visit = (list: Block[]) => {
    for (const b of list) {
      if (b.type === 'code') {
        if (runnable(b.lang, b.actions)) out.push(b.value.replace(/\s+$/, ''));
      } else if (b.type === 'paragraph' || b.type === 'heading') {
        for (const cmd of runnableInlines(b.children)) out.push(cmd);
      } else if (b.type === 'task') Object.values(b.slots).forEach(visit);
      else if (b.type === 'box' || b.type === 'blockquote' || b.type === 'component') visit(b.children);
      else if (b.type === 'list') b.items.forEach((item) => visit(item.children));
    }
  };
  visit(blocks);
  return out;
}

/** Killercoda's `` `cmd`{{exec}} `` inside text. */
function runnableInlines(inlines: Inline[]): string[] {
  const out: string[] = [];
  for (const i of inlines) {
    if (i.type === 'inlineCode' && i.actions?.includes('run')) out.push(i.value);
    else if (i.type === 'strong' || i.type === 'emphasis' || i.type === 'delete' || i.type === 'link') out.push(...runnableInlines(i.children));
  }
  return out;
}

function readScript(files: ContentFiles, rel: string, problems: ContentProblem[]): string | undefined {
  try {
    return files.readText(rel, 'script');
  } catch (err) {
    if (!(err instanceof ContentFileError)) throw err;
    problems.push({ file: rel, message: err.message });
    return undefined;
  }
}

function rootFiles(files: ContentFiles, re: RegExp): string[] {
  return files
    .list('.')
    .filter((e) => e.kind === 'file' && re.test(e.name))
    .map((e) => e.name);
}

/** The solutions of a content, found in the order above. */
export function findSolutions(files: ContentFiles, content: Content): SolutionSearch {
  try {
    return search(files, content);
  } catch (err) {
    if (!(err instanceof ContentFileError)) throw err;
    return { solutions: [], problems: [{ file: err.rel, message: err.message }], lookedFor: [] };
  }
}

function search(files: ContentFiles, content: Content): SolutionSearch {
  const problems: ContentProblem[] = [];
  const scripts = rootFiles(files, SCRIPT_FILE);
  if (scripts.length > 0) {
    const solutions = scripts.flatMap((name) => {
      const text = readScript(files, name, problems);
      return text === undefined ? [] : [{ name, source: name, steps: parseSolutionScript(text, name, problems) }];
    });
    return { solutions, problems, lookedFor: [] };
  }
  if (content.format === 'killercoda') return killercodaSolution(files, content, problems);

  const lookedFor = ['.solution.sh', '.solution-NN.sh', 'solution.md', 'solution-NN.md', 'a "Solution" box in index.md'];
  const markdown = rootFiles(files, MARKDOWN_FILE);
  const shell = (lang: string | undefined) => lang !== undefined && SHELL_LANGS.has(lang);
  if (markdown.length > 0) {
    const solutions = markdown.flatMap((name): Solution[] => {
      let text: string;
      try {
        text = files.readText(name);
      } catch (err) {
        if (!(err instanceof ContentFileError)) throw err;
        problems.push({ file: name, message: err.message });
        return [];
      }
      const md = parseMarkdown(text, 'mdc', { maxParagraphBytes: files.limits.paragraphBytes });
      const blocks = shellBlocks(md.blocks, shell);
      if (blocks.length === 0) {
        problems.push({ file: name, message: 'no shell code block (```sh, ```bash) to run: write the commands in one, or add a .solution.sh' });
        return [];
      }
      return [{ name, source: name, steps: [{ kind: 'run', script: terminalScript(blocks), mode: 'terminal', label: `${blocks.length} shell block(s)` }] }];
    });
    return { solutions, problems, lookedFor };
  }
  // "Solution" boxes of the content itself (a collapsed `::details-box` is the usual place).
  const boxed: string[] = [];
  const visit = (blocks: Block[]) => {
    for (const b of blocks) {
      if (b.type === 'box' && /solution/i.test(b.title ?? '')) boxed.push(...shellBlocks(b.children, shell));
      else if (b.type === 'box' || b.type === 'blockquote' || b.type === 'component') visit(b.children);
      else if (b.type === 'task') Object.values(b.slots).forEach(visit);
      else if (b.type === 'list') b.items.forEach((i) => visit(i.children));
    }
  };
  content.pages.forEach((p) => visit(p.blocks));
  if (boxed.length > 0) {
    return {
      solutions: [
        {
          name: 'index.md solution boxes',
          source: 'index.md',
          steps: [{ kind: 'run', script: terminalScript(boxed), mode: 'terminal', label: `${boxed.length} block(s)` }],
        },
      ],
      problems,
      lookedFor,
    };
  }
  return { solutions: [], problems, lookedFor };
}

/**
 * Blocks as typed into a terminal one after the other: each is echoed (for the log) and
 * runs whatever the one before returned.
 */
export function terminalScript(blocks: string[]): string {
  return blocks.map((b) => `# ---- block ----\n${b}`).join('\n');
}

const scenarioSteps = z
  .object({
    details: z
      .object({
        intro: z.unknown().optional(),
        steps: z.array(z.object({ text: z.unknown().optional(), solution: z.unknown().optional() }).loose()).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
type ScenarioStep = NonNullable<NonNullable<z.infer<typeof scenarioSteps>['details']>['steps']>[number];

function killercodaSolution(files: ContentFiles, content: Content, problems: ContentProblem[]): SolutionSearch {
  const lookedFor = ['.solution.sh', 'a step "solution" file (index.json) or stepN/solution.sh', '{{exec}} blocks in the steps'];
  let details: { intro?: unknown; steps?: ScenarioStep[] } = {};
  try {
    // The reader checked index.json; here only the step fields it does not keep are read.
    details = scenarioSteps.safeParse(JSON.parse(files.readText(KILLERCODA_INDEX))).data?.details ?? {};
  } catch (err) {
    if (!(err instanceof ContentFileError) && !(err instanceof SyntaxError)) throw err;
  }
  const steps = Array.isArray(details.steps) ? details.steps : [];
  const offset = details.intro ? 1 : 0;
  const out: SolutionStep[] = [];
  const sources = new Set<string>();
  // The intro's commands come first: what the learner runs before the first step.
  if (offset === 1) {
    const intro = shellBlocks(content.pages[0]?.blocks ?? [], (_lang, actions) => actions.includes('run'));
    if (intro.length > 0) {
      out.push({ kind: 'run', script: terminalScript(intro), mode: 'terminal', user: 'root', label: 'intro ({{exec}} blocks)' });
      sources.add('{{exec}} blocks');
    }
  }
  steps.forEach((step, i) => {
    const page = content.pages[i + offset];
    const label = `step ${i + 1}`;
    const file = solutionFileOf(files, step, i, problems);
    if (file) {
      const script = readScript(files, file, problems);
      if (script !== undefined) out.push({ kind: 'run', script, mode: 'terminal', user: 'root', label: `${label} (${file})` });
      sources.add(file);
    } else {
      const blocks = shellBlocks(page?.blocks ?? [], (_lang, actions) => actions.includes('run'));
      if (blocks.length > 0) {
        out.push({ kind: 'run', script: terminalScript(blocks), mode: 'terminal', user: 'root', label: `${label} ({{exec}} blocks)` });
        sources.add('{{exec}} blocks');
      }
    }
    const verify = `step${i + 1}_verify`;
    if (content.tasks[verify]) out.push({ kind: 'wait', task: verify, label: `${label}: ${verify}` });
  });
  if (!out.some((s) => s.kind === 'run')) return { solutions: [], problems, lookedFor };
  return { solutions: [{ name: 'steps', source: [...sources].join(', '), steps: out }], problems, lookedFor };
}

/** A step's own solution script: `"solution": "step1/solution.sh"`, else `solution.sh` beside its text. */
function solutionFileOf(files: ContentFiles, step: ScenarioStep, i: number, problems: ContentProblem[]): string | undefined {
  if (step.solution !== undefined) {
    if (typeof step.solution === 'string' && step.solution) return step.solution;
    problems.push({ file: KILLERCODA_INDEX, where: `details.steps[${i}].solution`, message: 'expected the path of a shell script' });
    return undefined;
  }
  if (typeof step.text !== 'string') return undefined;
  const folder = path.posix.dirname(step.text.split(path.sep).join('/'));
  if (folder === '.' || folder === '') return undefined;
  const candidate = `${folder}/solution.sh`;
  try {
    return files.kind(candidate) === 'file' ? candidate : undefined;
  } catch (err) {
    if (!(err instanceof ContentFileError)) throw err;
    problems.push({ file: candidate, message: err.message });
    return undefined;
  }
}
