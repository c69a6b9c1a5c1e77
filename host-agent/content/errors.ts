// Problems found while reading content. Every problem names the file (relative to the
// content folder where possible), the field or line, and what was expected.

export interface ContentProblem {
  file: string;
  /** `tasks.verify_x.needs[0]`, `line 42`, … */
  where?: string;
  message: string;
}

export function formatProblem(p: ContentProblem): string {
  return p.where ? `${p.file}: ${p.where}: ${p.message}` : `${p.file}: ${p.message}`;
}

export class ContentError extends Error {
  constructor(readonly problems: ContentProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ContentError';
  }
}
