// One `sandlot mcp` session (one stdio connection, one MCP client): which playgrounds it
// may touch, how many it may start, the agent it talks to, what it logs there, and what it
// holds open (port forwards, SSH connections for files) until it ends.
import { randomBytes } from 'node:crypto';
import type { Client, SFTPWrapper } from 'ssh2';
import { isApiError, type AgentClient } from '../api/client';
import { LABEL_MCP_CLIENT, LABEL_MCP_SESSION } from '../api/labels';
import { listenForward, type PortForward } from '../api/port-forward';
import type { MachineRecord, PlaygroundRecord } from '../api/protocol';
import { connectMachine } from '../ssh/connect';
import { errorMessage } from '../util/errors';

export interface McpOptions {
  /** Every playground of the agent is in scope, not only this session's. */
  all: boolean;
  /** Playgrounds this session may have at once. */
  maxPlaygrounds: number;
  /** Lifetime of the playgrounds it starts, unless a call asks for another. */
  lifetimeMinutes: number;
}

/** A refusal or failure told to the model as it is: one line naming the problem and what to do. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}

/** Control characters out, one line, at most `max` characters: what the agent's log takes. */
export function oneLine(text: string, max = 1000): string {
  // eslint-disable-next-line no-control-regex -- the point is to remove them
  const flat = text.replace(/(\s|[\u0000-\u001f\u007f-\u009f])+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export class McpSession {
  /** Random per process: a new session (a restarted server) starts with an empty scope. */
  readonly id = randomBytes(6).toString('hex');
  /** `name/version` from the client's initialize request. */
  clientName = 'unknown-client';
  private agentClient: Promise<AgentClient> | undefined;
  private readonly forwards = new Map<string, PortForward>();
  private readonly ssh = new Map<string, Promise<{ client: Client; sftp: SFTPWrapper }>>();

  constructor(
    readonly opts: McpOptions,
    private readonly connect: () => Promise<AgentClient>,
    /** Lines for the server's stderr (MCP clients show it as the server's log). */
    readonly note: (line: string) => void,
  ) {}

  /** The agent, connected on first use (a local one is started where none runs); a failure is retried next call. */
  agent(): Promise<AgentClient> {
    if (!this.agentClient) {
      this.agentClient = this.connect();
      this.agentClient.catch(() => (this.agentClient = undefined));
    }
    return this.agentClient;
  }

  labels(): Record<string, string> {
    return { [LABEL_MCP_SESSION]: this.id, [LABEL_MCP_CLIENT]: oneLine(this.clientName, 256) };
  }

  owns(record: PlaygroundRecord): boolean {
    return record.labels?.[LABEL_MCP_SESSION] === this.id;
  }

  inScope(record: PlaygroundRecord): boolean {
    return this.opts.all || this.owns(record);
  }

  /** The playgrounds this session may touch, and how many others the agent has. */
  async scope(): Promise<{ playgrounds: PlaygroundRecord[]; others: number }> {
    const all = await (await this.agent()).list();
    const playgrounds = all.filter((r) => this.inScope(r));
    return { playgrounds, others: all.length - playgrounds.length };
  }

  /** A playground this session may touch, or an error naming the ones it may. */
  async playground(id: string): Promise<PlaygroundRecord> {
    const agent = await this.agent();
    let record: PlaygroundRecord | undefined;
    try {
      record = await agent.get(id);
    } catch (err) {
      if (!isApiError(err, 'playground_not_found')) throw err;
    }
    if (!record) throw new ToolError(`playground '${id}' not found; ${await this.scopeLine()}`);
    if (!this.inScope(record)) {
      throw new ToolError(
        `playground '${id}' was not started by this MCP session, so it is out of scope (${await this.scopeLine()}); ` +
          'start one with start_playground, or have the user run the server with --all to reach every playground',
      );
    }
    return record;
  }

  /** A machine of the playground by name (default: its first), or an error listing its machines. */
  machine(record: PlaygroundRecord, name: string | undefined): MachineRecord {
    const m = name === undefined ? record.machines[0] : record.machines.find((x) => x.name === name);
    if (!m) throw new ToolError(`machine '${name}' not found in ${record.id}; machines: ${record.machines.map((x) => x.name).join(', ')}`);
    if (record.state !== 'running' || m.state !== 'running') {
      throw new ToolError(
        `machine '${m.name}' of ${record.id} is ${m.state} (playground ${record.state}${record.error ? `: ${record.error}` : ''}); ` +
          (record.state === 'stopped' ? 'it must be running: the user can start it again with `sandlot start ' + record.id + '`' : 'it must be running'),
      );
    }
    return m;
  }

  /** Refuses a start that would pass the session's limit. */
  async checkRoomToStart(): Promise<void> {
    const mine = (await (await this.agent()).list()).filter((r) => this.owns(r));
    if (mine.length >= this.opts.maxPlaygrounds) {
      throw new ToolError(
        `this MCP session already has ${mine.length} playground(s) (${mine.map((r) => r.id).join(', ')}), the most it may have (--max-playgrounds ${this.opts.maxPlaygrounds}); ` +
          'destroy one with destroy_playground first',
      );
    }
  }

  private async scopeLine(): Promise<string> {
    const { playgrounds } = await this.scope();
    const which = this.opts.all ? 'playgrounds' : 'playgrounds of this session';
    return playgrounds.length === 0 ? `no ${which} exist (start one with start_playground)` : `${which}: ${playgrounds.map((r) => r.id).join(', ')}`;
  }

  /** One line in the agent's log naming the MCP client; a log that cannot be written never fails the call. */
  async log(message: string, level: 'info' | 'warn' = 'info'): Promise<void> {
    this.note(message);
    try {
      await (await this.agent()).log({ client: `mcp ${oneLine(this.clientName, 180)}`, level, message: oneLine(message) });
    } catch (err) {
      this.note(`could not log to the agent: ${errorMessage(err)}`);
    }
  }

  // --- what the session holds open ---

  /** A local port forwarded to a machine port, for as long as the session lasts (one per target). */
  async forward(record: PlaygroundRecord, machine: string, port: number): Promise<PortForward> {
    const key = `${record.id}/${machine}:${port}`;
    const existing = this.forwards.get(key);
    if (existing) return existing;
    const agent = await this.agent();
    const forward = await listenForward(
      agent,
      { playground: record.id, machine, port },
      { onError: (err) => this.note(`forward ${key}: ${errorMessage(err)}`) },
    );
    this.forwards.set(key, forward);
    return forward;
  }

  listForwards(playground?: string): PortForward[] {
    return [...this.forwards.values()].filter((f) => playground === undefined || f.target.playground === playground);
  }

  /** An SFTP session on a machine as a user, kept for the next call; a broken one is replaced. */
  async sftp(record: PlaygroundRecord, machine: MachineRecord, user: string | undefined): Promise<SFTPWrapper> {
    const login = user ?? machine.defaultUser;
    if (!machine.users.includes(login)) throw new ToolError(`machine '${machine.name}' has no user '${login}'; users: ${machine.users.join(', ')}`);
    const key = `${record.id}/${machine.name}/${login}`;
    let open = this.ssh.get(key);
    if (!open) {
      open = (async () => {
        const client = await connectMachine(await this.agent(), record, machine.name, login);
        const forget = () => {
          if (this.ssh.get(key) === open) this.ssh.delete(key);
        };
        client.on('close', forget).on('error', forget);
        const sftp = await new Promise<SFTPWrapper>((resolve, reject) => client.sftp((err, s) => (err ? reject(err) : resolve(s))));
        return { client, sftp };
      })();
      this.ssh.set(key, open);
      open.catch(() => this.ssh.delete(key));
    }
    return (await open).sftp;
  }

  /** Lets go of what belongs to a playground that is gone (or stopped: its tunnels broke). */
  async release(playground: string): Promise<void> {
    for (const [key, f] of this.forwards) {
      if (f.target.playground !== playground) continue;
      this.forwards.delete(key);
      await f.close();
    }
    for (const [key, open] of this.ssh) {
      if (!key.startsWith(`${playground}/`)) continue;
      this.ssh.delete(key);
      void open.then(
        ({ client }) => client.end(),
        () => undefined,
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.forwards.values()].map((f) => f.close()));
    this.forwards.clear();
    for (const open of this.ssh.values())
      void open.then(
        ({ client }) => client.end(),
        () => undefined,
      );
    this.ssh.clear();
  }
}
