// Which playground this window works in: a sandlot:// folder, or a Remote-SSH window
// whose host is a Sandlot alias.
import * as vscode from 'vscode';
import { parseHostAlias } from '../host-agent/api/protocol';
import { SCHEME, parseSandlotUri, type MachineRef } from './remote/uri';

export const SSH_REMOTE_PREFIX = 'ssh-remote+';

export function machineOfUri(uri: vscode.Uri): MachineRef | undefined {
  if (uri.scheme === SCHEME) {
    try {
      const { playground, machine } = parseSandlotUri(uri);
      return { playground, machine };
    } catch {
      return undefined;
    }
  }
  if (uri.scheme === 'vscode-remote' && uri.authority.startsWith(SSH_REMOTE_PREFIX)) {
    return parseHostAlias(decodeURIComponent(uri.authority.slice(SSH_REMOTE_PREFIX.length)));
  }
  return undefined;
}

export function windowMachine(): MachineRef | undefined {
  const uris = [...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri), ...(vscode.workspace.workspaceFile ? [vscode.workspace.workspaceFile] : [])];
  for (const u of uris) {
    const ref = machineOfUri(u);
    if (ref) return ref;
  }
  return undefined;
}
