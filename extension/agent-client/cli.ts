// Where the `sandlot` CLI is, and the Node that runs it. ProxyCommand and "Start Local
// Agent" both run it. In desktop VS Code the extension host is Electron, whose binary
// runs as plain Node only with ELECTRON_RUN_AS_NODE=1.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export interface CliCommand {
  /** argv prefix: [node] or [/usr/bin/env, ELECTRON_RUN_AS_NODE=1, electron]. */
  node: string[];
  /** Absolute path of dist/sandlot.js. */
  script: string;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

export function nodeCommand(): string[] {
  if (!process.versions.electron) return [process.execPath];
  const node = onPath('node');
  return node ? [node] : ['/usr/bin/env', 'ELECTRON_RUN_AS_NODE=1', process.execPath];
}

export function findCli(extensionPath: string): CliCommand {
  const configured = vscode.workspace.getConfiguration('sandlot').get<string>('cli.path')?.trim();
  const candidates = [configured, path.join(extensionPath, 'dist', 'sandlot.js')].filter((x): x is string => !!x);
  for (const c of candidates) {
    if (fs.existsSync(c)) return { node: nodeCommand(), script: path.resolve(c) };
  }
  // An installed CLI: resolve its script so ProxyCommand does not depend on PATH.
  const bin = onPath('sandlot');
  if (bin) {
    const real = fs.realpathSync(bin);
    const script = path.join(path.dirname(real), '..', 'dist', 'sandlot.js');
    if (fs.existsSync(script)) return { node: nodeCommand(), script };
  }
  throw new Error(
    `cannot find the sandlot CLI (tried ${candidates.join(', ') || 'nothing'} and "sandlot" on PATH); set "sandlot.cli.path" to its dist/sandlot.js`,
  );
}
