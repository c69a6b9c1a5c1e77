// The Remote-SSH handoff: the playground key and host keys where OpenSSH reads them (the
// CLI's writeClientKeys, shared with `sandlot ssh-config`), one marked block in
// ~/.ssh/config for every running machine, then a Remote-SSH window when an extension
// for it is installed, else the built-in sandlot:// workspace.
import * as vscode from 'vscode';
import { hostAlias, type PlaygroundRecord } from '../../host-agent/api/protocol';
import { writeClientKeys } from '../../host-agent/cli/commands/ssh';
import type { AgentConnection } from '../agent-client/connection';
import type { CliCommand } from '../agent-client/cli';
import { machineHostEntries, proxyCommand, proxyEnv, type SshHostEntry } from '../../host-agent/ssh/host-block';
import { defaultSshConfigPath, writeSandlotBlock } from './ssh-config-file';
import type { MachineRef } from './uri';

/** Extensions that open `vscode-remote://ssh-remote+<host>/…` folders. */
export const REMOTE_SSH_EXTENSIONS = ['ms-vscode-remote.remote-ssh', 'jeanp413.open-remote-ssh'];

/** Aliases kept pointing at a re-created playground: alias → target alias. */
export type AliasRedirects = Record<string, string>;

export class RemoteSshHandoff {
  constructor(
    private readonly agent: AgentConnection,
    private readonly cli: () => CliCommand,
    private readonly log: vscode.LogOutputChannel,
    private readonly redirects: () => AliasRedirects,
    private readonly configPath = defaultSshConfigPath,
  ) {}

  private proxy(target?: string): string {
    const cli = this.cli();
    return proxyCommand(cli.node, cli.script, { target, env: proxyEnv() });
  }

  private async entriesFor(record: PlaygroundRecord): Promise<SshHostEntry[]> {
    return machineHostEntries(record, await writeClientKeys(this.agent.client(), record), this.proxy());
  }

  /** Rewrites the block for every running playground (plus redirected aliases). */
  async writeConfig(): Promise<{ path: string; aliases: string[] }> {
    await this.agent.refresh();
    const running = this.agent.playgrounds.filter((p) => p.state === 'running');
    const entries: SshHostEntry[] = [];
    for (const r of running) entries.push(...(await this.entriesFor(r)));
    for (const [from, to] of Object.entries(this.redirects())) {
      const target = entries.find((e) => e.alias === to);
      if (target && !entries.some((e) => e.alias === from)) {
        entries.push({ ...target, alias: from, hostKeyAlias: to, proxyCommand: this.proxy(to) });
      }
    }
    const result = await writeSandlotBlock(entries, this.configPath());
    for (const r of result.repaired) this.log.warn(`ssh config repaired: ${r}`);
    for (const w of result.warnings) this.log.warn(w);
    this.log.info(
      `${result.path}: Sandlot block ${result.changed ? 'updated' : 'already up to date'} (${entries.length} host${entries.length === 1 ? '' : 's'})`,
    );
    return { path: result.path, aliases: entries.map((e) => e.alias) };
  }

  async connect(ref: MachineRef & { home: string }): Promise<'remote-ssh' | 'builtin' | undefined> {
    const { path: file } = await this.writeConfig();
    const alias = hostAlias(ref.playground, ref.machine);
    const ext = REMOTE_SSH_EXTENSIONS.find((id) => vscode.extensions.getExtension(id));
    if (ext) {
      const uri = vscode.Uri.parse(`vscode-remote://ssh-remote+${alias}${ref.home}`);
      this.log.info(`opening ${uri.toString()} with ${ext}`);
      await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
      return 'remote-ssh';
    }
    const choice = await vscode.window.showInformationMessage(
      `${file} now has the host "${alias}" (try: ssh ${alias}). No Remote-SSH extension is installed; open the machine in Sandlot's built-in workspace instead?`,
      'Open Folder',
      'Copy SSH Command',
    );
    if (choice === 'Copy SSH Command') await vscode.env.clipboard.writeText(`ssh ${alias}`);
    if (choice === 'Open Folder') {
      await vscode.commands.executeCommand('sandlot.openFolder', { playground: ref.playground, machine: ref.machine });
      return 'builtin';
    }
    return undefined;
  }
}
