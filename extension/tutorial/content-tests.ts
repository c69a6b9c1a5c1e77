// "Sandlot: Test This Content" and the Test Explorer: every content folder of the
// workspace is a test item with one child per task; running it runs `sandlot content test
// <folder> --json` (a fresh playground, the starter check, the solution, every task) and
// maps its JSON onto the items: a task passed, failed (with the failing check's output) or
// did not run; the folder fails with the first thing that went wrong.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SuiteResult } from '../../host-agent/content/testing/types';
import { isRunnable } from '../../host-agent/content/model';
import { parseOwnJson } from '../../host-agent/util/json';
import { findCli } from '../agent-client/cli';
import type { EditorContent } from '../content-diagnostics/editor-content';
import { errorMessage } from '../log';
import { DisposableStore } from '../util/disposables';
import { verdicts } from './content-test-verdicts';

const ANY_TEMPLATE = { names: () => [], machines: () => undefined };

export class ContentTests implements vscode.Disposable {
  private readonly owned = new DisposableStore();
  readonly controller: vscode.TestController;

  constructor(
    private readonly content: EditorContent,
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.controller = this.owned.add(vscode.tests.createTestController('sandlot.contentTests', 'Sandlot content'));
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
    };
    this.controller.createRunProfile('Run content test', vscode.TestRunProfileKind.Run, (req, token) => this.run(req, token), true);
  }

  /** Runs the test of one content folder (the command), adding its item first. */
  async testFolder(dir: string): Promise<void> {
    const item = this.itemFor(dir);
    const cancel = new vscode.CancellationTokenSource();
    try {
      await this.run(new vscode.TestRunRequest([item]), cancel.token);
    } finally {
      cancel.dispose();
    }
  }

  private async discover(): Promise<void> {
    const found = await vscode.workspace.findFiles('**/{index.md,index.json}', '**/node_modules/**', 200);
    for (const uri of found) this.itemFor(path.dirname(uri.fsPath));
  }

  /** The folder's item with its tasks as children (read as the editors show it). */
  private itemFor(dir: string): vscode.TestItem {
    let item = this.controller.items.get(dir);
    if (!item) {
      item = this.controller.createTestItem(dir, path.basename(dir), vscode.Uri.file(dir));
      this.controller.items.add(item);
    }
    try {
      const doc = this.content.read(dir, this.content.lookup() ?? ANY_TEMPLATE).document;
      if (doc && isRunnable(doc)) {
        item.label = doc.title || path.basename(dir);
        const index = vscode.Uri.file(path.join(dir, doc.format === 'killercoda' ? 'index.json' : 'index.md'));
        item.children.replace(
          Object.values(doc.tasks)
            .filter((t) => t.kind === 'regular')
            .map((t) => this.controller.createTestItem(`${dir}#${t.name}`, t.name, index)),
        );
      }
    } catch (err) {
      this.log.debug(`content tests: reading ${dir}: ${errorMessage(err)}`);
    }
    return item;
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request);
    const folders = new Map<string, vscode.TestItem>();
    const wanted = request.include ?? [...this.itemsOf(this.controller.items)];
    for (const item of wanted) {
      const folder = item.parent ?? item;
      folders.set(folder.id, folder);
    }
    try {
      for (const folder of folders.values()) {
        if (token.isCancellationRequested) break;
        await this.runFolder(folder, run, token);
      }
    } finally {
      run.end();
    }
  }

  private itemsOf(collection: vscode.TestItemCollection): vscode.TestItem[] {
    const out: vscode.TestItem[] = [];
    collection.forEach((i) => out.push(i));
    return out;
  }

  private async runFolder(folder: vscode.TestItem, run: vscode.TestRun, token: vscode.CancellationToken): Promise<void> {
    const children = this.itemsOf(folder.children);
    run.started(folder);
    children.forEach((c) => run.started(c));
    let cli;
    try {
      cli = findCli(this.extensionPath);
    } catch (err) {
      run.errored(folder, new vscode.TestMessage(errorMessage(err)));
      return;
    }
    const started = Date.now();
    const child = spawn(cli.node[0], [...cli.node.slice(1), cli.script, 'content', 'test', folder.id, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = token.onCancellationRequested(() => child.kill('SIGINT'));
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => run.appendOutput(d.toString('utf8').replace(/\r?\n/g, '\r\n'), undefined, folder));
    const code = await new Promise<number | null>((resolve) => {
      child.once('error', () => resolve(null));
      child.once('exit', (c) => resolve(c));
    });
    stop.dispose();
    let suite: SuiteResult;
    try {
      suite = parseOwnJson<SuiteResult>(stdout);
    } catch {
      run.errored(folder, new vscode.TestMessage(`sandlot content test exited with ${code ?? 'a signal'} without a result; see the test output`));
      children.forEach((c) => run.skipped(c));
      return;
    }
    const untestable = suite.untestable.find((u) => u.dir === folder.id) ?? suite.untestable[0];
    if (untestable) {
      run.errored(folder, new vscode.TestMessage(`cannot be tested:\n${untestable.problems.join('\n')}`));
      children.forEach((c) => run.skipped(c));
      return;
    }
    const v = verdicts(suite.results);
    for (const c of children) {
      const t = v.tasks.get(c.label);
      if (!t || t.verdict === 'not-run') run.skipped(c);
      else if (t.verdict === 'passed') run.passed(c, t.ms);
      else
        run.failed(
          c,
          new vscode.TestMessage(
            `${t.verdict === 'starter-defect' ? 'passes before the learner acts (starter defect)' : 'did not complete'}${t.message ? `:\n${t.message}` : ''}`,
          ),
          t.ms,
        );
    }
    if (v.passed) run.passed(folder, Date.now() - started);
    else run.failed(folder, new vscode.TestMessage(v.message ?? (suite.flaky.length ? 'flaky tasks' : 'failed')), Date.now() - started);
  }

  dispose(): void {
    this.owned.dispose();
  }
}
