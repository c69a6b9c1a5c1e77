// Tells from a terminal's bytes when a command the learner entered has finished: the
// shell prints its prompt again. Shells with shell integration say so exactly (OSC 133;D
// or VS Code's OSC 633;D, "command finished"); for the plain bash of a playground machine
// the prompt is recognised by its shape: after Enter, output that comes to rest on a line
// ending in "$ ", "# ", "% " or "> ". A false positive only costs one early check, a miss
// leaves the agent's periodic check, so the shape test stays simple. Pure: no vscode.

/** "Command finished" marks of FinalTerm / VS Code shell integration. */
// eslint-disable-next-line no-control-regex -- the marks are escape sequences by definition
const FINISHED_MARK = /\x1b\](?:133|633);D(?:;[^\x07\x1b]*)?(?:\x07|\x1b\\)/;
// eslint-disable-next-line no-control-regex -- terminal output is full of escape sequences
const ESCAPES = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g;
const PROMPT_END = /[$#%>] $/;
/** Keep only the end of the current line: a prompt is short, a line of output may not be. */
const LINE_TAIL = 256;

export class PromptWatch {
  /** Commands entered whose prompt has not come back yet. */
  private entered = 0;
  private line = '';

  /** What the learner typed (or a "Run in terminal" button sent). */
  input(data: string): void {
    const enters = (data.match(/\r|\n/g) ?? []).length;
    // Ctrl-C ends what runs and brings the prompt back too.
    const interrupts = data.includes('\x03') ? 1 : 0;
    this.entered = Math.min(this.entered + enters + interrupts, 64);
  }

  /** What the shell printed; true when a command has just finished. */
  output(data: string): boolean {
    if (FINISHED_MARK.test(data)) {
      this.entered = Math.max(0, this.entered - 1);
      this.line = '';
      return true;
    }
    const text = data.replace(ESCAPES, '');
    const lastBreak = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
    this.line = (lastBreak >= 0 ? text.slice(lastBreak + 1) : this.line + text).slice(-LINE_TAIL);
    if (this.entered === 0 || !PROMPT_END.test(this.line)) return false;
    this.entered--;
    return true;
  }
}
