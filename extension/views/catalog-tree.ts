import * as vscode from 'vscode';
import type { AgentConnection } from '../agent-client/connection';
import { DisposableStore } from '../util/disposables';
import type { TemplateNode } from './nodes';

/** The Catalog view: templates a playground can start from. */
export class CatalogTree implements vscode.TreeDataProvider<TemplateNode>, vscode.Disposable {
  private readonly owned = new DisposableStore();
  private readonly changed = this.owned.add(new vscode.EventEmitter<undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly agent: AgentConnection) {
    this.owned.add(agent.onDidChangeTemplates(() => this.changed.fire(undefined)));
    this.owned.add(agent.onDidChangeState(() => this.changed.fire(undefined)));
  }

  getChildren(node?: TemplateNode): TemplateNode[] {
    if (node || this.agent.state.kind !== 'connected') return [];
    return this.agent.templates.map((template) => ({ kind: 'template', template }));
  }

  getTreeItem({ template: t }: TemplateNode): vscode.TreeItem {
    const item = new vscode.TreeItem(t.title || t.name, vscode.TreeItemCollapsibleState.None);
    item.id = `tpl:${t.name}`;
    item.description = `${t.name} · ${t.machines.length} machine${t.machines.length === 1 ? '' : 's'}`;
    item.tooltip = new vscode.MarkdownString(`**${t.title}** (\`${t.name}\`${t.driver ? `, ${t.driver}` : ''})\n\n${t.description}`);
    item.contextValue = 'template';
    item.iconPath = new vscode.ThemeIcon(t.source === 'user' ? 'file-code' : 'package');
    return item;
  }

  dispose(): void {
    this.owned.dispose();
  }
}
