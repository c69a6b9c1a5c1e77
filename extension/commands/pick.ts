// Resolves a command's target: the tree node it was run on, or a quick pick when it
// was run from the palette (skipped when there is only one candidate).
import * as vscode from 'vscode';
import type { MachineRecord, PlaygroundRecord, PlaygroundState } from '../../host-agent/api/protocol';
import type { AgentConnection } from '../agent-client/connection';
import { timeLeft } from '../util/time';
import { isNode } from '../views/nodes';
import type { MachineRef } from '../remote/uri';

export interface MachineTarget extends MachineRef {
  record: PlaygroundRecord;
  machineRecord: MachineRecord;
}

export async function pickPlayground(
  agent: AgentConnection,
  arg: unknown,
  opts: { states?: PlaygroundState[]; title: string },
): Promise<PlaygroundRecord | undefined> {
  if (isNode(arg) && (arg.kind === 'playground' || arg.kind === 'machine')) return agent.playground(arg.record.id) ?? arg.record;
  if (typeof arg === 'string') return agent.playground(arg) ?? (await agent.client().get(arg));
  await agent.refresh();
  const candidates = agent.playgrounds.filter((p) => !opts.states || opts.states.includes(p.state));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(
      opts.states ? `No playground is ${opts.states.join(' or ')}.` : 'No playground exists; start one with "Sandlot: Start Playground…".',
    );
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const picked = await vscode.window.showQuickPick(
    candidates.map((p) => ({
      label: p.title || p.id,
      description: `${p.id} · ${p.state}`,
      detail: p.state === 'running' ? timeLeft(p.deadline) : undefined,
      p,
    })),
    { title: opts.title, placeHolder: 'Pick a playground' },
  );
  return picked?.p;
}

export async function pickMachine(agent: AgentConnection, arg: unknown, title: string): Promise<MachineTarget | undefined> {
  if (isNode(arg) && arg.kind === 'machine') {
    return { playground: arg.record.id, machine: arg.machine.name, record: arg.record, machineRecord: arg.machine };
  }
  if (arg && typeof arg === 'object' && 'playground' in arg && 'machine' in arg && typeof arg.playground === 'string' && typeof arg.machine === 'string') {
    const ref: MachineRef = { playground: arg.playground, machine: arg.machine };
    const record = agent.playground(ref.playground) ?? (await agent.client().get(ref.playground));
    const m = record.machines.find((x) => x.name === ref.machine);
    if (!m) throw new Error(`playground ${ref.playground} has no machine "${ref.machine}"`);
    return { playground: record.id, machine: m.name, record, machineRecord: m };
  }
  // The cached list may predate a playground that just came up (content started from the
  // tutorial picker, another window, the CLI): read it again before saying there is none.
  await agent.refresh();
  let pgs = agent.playgrounds.filter((p) => p.state === 'running');
  if (isNode(arg) && arg.kind === 'playground') pgs = [arg.record];
  const targets = pgs.flatMap((record) =>
    record.machines.filter((m) => m.state === 'running' && !m.noSSH).map((m) => ({ playground: record.id, machine: m.name, record, machineRecord: m })),
  );
  if (targets.length === 0) {
    void vscode.window.showInformationMessage('No running machine; start a playground first.');
    return undefined;
  }
  if (targets.length === 1) return targets[0];
  const picked = await vscode.window.showQuickPick(
    targets.map((t) => ({ label: t.machine, description: `${t.record.title} · ${t.playground}`, t })),
    { title, placeHolder: 'Pick a machine' },
  );
  return picked?.t;
}
