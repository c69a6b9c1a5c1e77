// SSH to a playground machine through the agent's tunnel (WebSocket → machine:22), with
// the playground's key and the machine's host key checked against what the agent knows.
// One connection per machine carries SFTP and every terminal of that machine.
import { AgentUnreachableError } from '../../host-agent/api/client';
import { connectMachine } from '../../host-agent/ssh/connect';
import { type Client, type ClientChannel, type PseudoTtyOptions, type SFTPWrapper } from 'ssh2';
import * as vscode from 'vscode';
import type { AgentConnection } from '../agent-client/connection';
import { DisposableStore } from '../util/disposables';
import { errorMessage } from '../log';
import { MachineChanges } from './machine-changes';
import type { MachineRef } from './uri';

export class MachineSession {
  private sftpChannel: Promise<SFTPWrapper> | undefined;
  private readonly closed = new vscode.EventEmitter<string>();
  /** Fires once, with the reason, when the connection is gone. */
  readonly onDidClose = this.closed.event;
  private isClosed = false;

  constructor(
    readonly ref: MachineRef,
    readonly user: string,
    readonly home: string,
    private readonly client: Client,
  ) {
    const end = (reason: string) => {
      if (this.isClosed) return;
      this.isClosed = true;
      this.closed.fire(reason);
      this.closed.dispose();
    };
    // The tunnel is a ws stream that ends but never emits 'close' (ws creates it with
    // emitClose: false), so ssh2 only says 'end' when the agent goes away.
    client.on('end', () => end('the tunnel ended'));
    client.on('close', () => end('the connection closed'));
    client.on('error', (err) => end(err.message));
  }

  get alive(): boolean {
    return !this.isClosed;
  }

  sftp(): Promise<SFTPWrapper> {
    this.sftpChannel ??= new Promise<SFTPWrapper>((resolve, reject) =>
      this.client.sftp((err, sftp) => {
        if (err) return reject(err);
        sftp.on('close', () => (this.sftpChannel = undefined));
        resolve(sftp);
      }),
    ).catch((err) => {
      this.sftpChannel = undefined;
      throw err;
    });
    return this.sftpChannel;
  }

  shell(pty: PseudoTtyOptions, env?: Record<string, string>): Promise<ClientChannel> {
    return new Promise((resolve, reject) => this.client.shell(pty, { env }, (err, ch) => (err ? reject(err) : resolve(ch))));
  }

  exec(command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => this.client.exec(command, (err, ch) => (err ? reject(err) : resolve(ch))));
  }

  /** Runs a command and collects its output (for small helpers, not for terminals). */
  async run(command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const ch = await this.exec(command);
    let stdout = '';
    let stderr = '';
    ch.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    ch.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    return new Promise((resolve) => ch.on('close', (code: number | null) => resolve({ code, stdout, stderr })));
  }

  close(): void {
    this.client.end();
  }
}

/** Opens and shares SSH sessions per machine; reconnects on the next use after a drop. */
export class MachineSessions implements vscode.Disposable {
  private readonly owned = new DisposableStore();
  private readonly sessions = new Map<string, Promise<MachineSession>>();
  private readonly keys = new Map<string, Promise<string>>();
  /** Where terminals and the file system say a machine changed (its checks run now). */
  readonly changes: MachineChanges;

  constructor(
    private readonly agent: AgentConnection,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.changes = new MachineChanges({
      // Known playgrounds without waiting checks are skipped; one not listed yet may have them.
      checking: (id) => {
        const record = agent.playground(id);
        return !record || record.content?.state === 'ready' || record.content?.state === 'initializing';
      },
      send: async (ref, reason) => {
        await (await agent.ready()).machineChanged(ref.playground, ref.machine, { reason });
      },
      onError: (ref, err) => log.debug(`checks of ${ref.playground}/${ref.machine}: ${errorMessage(err)}`),
    });
    // A destroyed playground's sessions and keys must not be reused by a new one.
    this.owned.add(
      agent.onDidChangePlaygrounds((list) => {
        const ids = new Set(list.map((p) => p.id));
        for (const key of [...this.sessions.keys()]) {
          if (!ids.has(key.split('/')[0])) this.drop(key);
        }
        for (const id of [...this.keys.keys()]) if (!ids.has(id)) this.keys.delete(id);
      }),
    );
  }

  get(ref: MachineRef): Promise<MachineSession> {
    const key = `${ref.playground}/${ref.machine}`;
    let s = this.sessions.get(key);
    if (!s) {
      s = this.connect(ref);
      this.sessions.set(key, s);
      s.then(
        (session) => session.onDidClose(() => this.sessions.get(key) === s && this.sessions.delete(key)),
        () => this.sessions.get(key) === s && this.sessions.delete(key),
      );
    }
    return s;
  }

  private drop(key: string): void {
    const s = this.sessions.get(key);
    this.sessions.delete(key);
    void s?.then(
      (x) => x.close(),
      () => undefined,
    );
  }

  private privateKey(playground: string): Promise<string> {
    let k = this.keys.get(playground);
    if (!k) {
      k = this.agent
        .ready()
        .then((api) => api.sshKey(playground))
        .then((r) => r.privateKey);
      this.keys.set(playground, k);
      k.catch(() => this.keys.delete(playground));
    }
    return k;
  }

  private async connect(ref: MachineRef): Promise<MachineSession> {
    try {
      return await this.connectOnce(ref);
    } catch (err) {
      // The agent restarted elsewhere (new port) and our client still has the old
      // address: find it again and try once more.
      if (!(err instanceof AgentUnreachableError)) throw err;
      this.log.info(`ssh: ${err.message}; looking for the agent again`);
      await this.agent.reconnect();
      return this.connectOnce(ref);
    }
  }

  private async connectOnce(ref: MachineRef): Promise<MachineSession> {
    const api = await this.agent.ready();
    // The cached list lags a playground that has just come up: ask again before refusing.
    let record = this.agent.playground(ref.playground);
    if (record?.state !== 'running') record = await api.get(ref.playground);
    const machine = record.machines.find((m) => m.name === ref.machine);
    if (!machine) throw vscode.FileSystemError.Unavailable(`playground ${ref.playground} has no machine "${ref.machine}"`);
    if (machine.noSSH) throw vscode.FileSystemError.Unavailable(`${ref.machine} in ${ref.playground} has no SSH (noSSH: true)`);
    if (record.state !== 'running') {
      throw vscode.FileSystemError.Unavailable(`playground ${ref.playground} is ${record.state}, not running`);
    }
    const privateKey = await this.privateKey(ref.playground);
    const started = Date.now();
    let client: Client;
    try {
      client = await connectMachine(api, record, ref.machine, machine.defaultUser, privateKey);
    } catch (err) {
      if (err instanceof AgentUnreachableError) throw err;
      throw new Error(`SSH to ${ref.machine} in ${ref.playground}: ${errorMessage(err)}`, { cause: err });
    }
    this.log.info(`ssh: ${machine.defaultUser}@${ref.playground}/${ref.machine} connected in ${Date.now() - started} ms`);
    const session = new MachineSession(ref, machine.defaultUser, machine.home, client);
    session.onDidClose((why) => {
      this.log.info(`ssh: ${ref.playground}/${ref.machine} closed (${errorMessage(why)})`);
      // Often the agent itself went away: let the views learn it now, not at the next poll.
      void this.agent.refresh();
    });
    return session;
  }

  dispose(): void {
    for (const key of [...this.sessions.keys()]) this.drop(key);
    this.owned.dispose();
  }
}
