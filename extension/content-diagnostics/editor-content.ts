// Content as the editors show it: a content folder read by the CLI's reader with the
// unsaved text of every open editor standing in for its file, against the agent's
// templates (names, machines) and the template manifests next to the CLI. What the
// Problems view and the tutorial preview both read.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ContentSummary } from '../../host-agent/api/protocol';
import type { PlaygroundManifest } from '../../host-agent/manifests/schema';
import { lookupFromMap, type TemplateLookup } from '../../host-agent/playgrounds/catalog';
import type { AgentConnection } from '../agent-client/connection';
import { findCli } from '../agent-client/cli';
import { errorMessage } from '../log';
import { readWithTexts, templateManifests } from './validate';

export class EditorContent {
  private manifests: Record<string, PlaygroundManifest> | undefined;

  constructor(
    private readonly agent: AgentConnection,
    private readonly log: vscode.LogOutputChannel,
    private readonly extensionPath: string,
  ) {}

  /** Fires when the agent's templates change (what content is checked against). */
  get onDidChangeTemplates(): vscode.Event<unknown> {
    return this.agent.onDidChangeTemplates;
  }

  /** The agent's templates, or undefined before it has answered (every `playground:` would look wrong). */
  lookup(): TemplateLookup | undefined {
    const list = this.agent.templates;
    if (list.length === 0) return undefined;
    return lookupFromMap(Object.fromEntries(list.map((t) => [t.name, t.machines.map((m) => m.name)])));
  }

  templates(): Record<string, PlaygroundManifest> {
    if (!this.manifests) {
      try {
        this.manifests = templateManifestsNextTo(findCli(this.extensionPath).script);
      } catch (err) {
        this.log.info(`content: no template manifests (${errorMessage(err)}); content is checked without them`);
        this.manifests = {};
      }
    }
    return this.manifests;
  }

  /** Open editors' texts of files in `dir`, by absolute path. */
  texts(dir: string): Map<string, string> {
    return new Map(
      vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file' && d.uri.fsPath.startsWith(dir + path.sep)).map((d) => [d.uri.fsPath, d.getText()]),
    );
  }

  /**
   * Reads `dir`; `lookup` when the agent's templates are not known yet. `library`: the
   * catalog roots skill paths and courses resolve names against (the installed extension
   * has no checkout to find the built-ins in; callers that show references pass [] and
   * resolve them against the agent's catalog).
   */
  read(dir: string, lookup: TemplateLookup, library?: string[]): ReturnType<typeof readWithTexts> {
    return readWithTexts(dir, lookup, this.templates(), this.texts(dir), library);
  }

  /** The agent's content catalog (what names resolve to when started); empty while it cannot be reached. */
  async catalog(): Promise<ContentSummary[]> {
    try {
      return await (await this.agent.ready()).builtinContent();
    } catch (err) {
      this.log.info(`content: no catalog from the agent (${errorMessage(err)})`);
      return [];
    }
  }
}

function templateManifestsNextTo(cliScript: string): Record<string, PlaygroundManifest> {
  return templateManifests(path.join(path.dirname(cliScript), '..', 'host-agent', 'templates'));
}
