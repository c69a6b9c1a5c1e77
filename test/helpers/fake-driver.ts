// An in-memory Driver for unit tests of what sits above the driver boundary (the
// playground manager, the API server and client). Machines are entries in a map; an
// operation can be made to fail or to wait; port 22 of a machine is a small SSH server
// (ssh2, in process) that checks the playground's key and answers `exec` with a canned
// reply; other ports echo what they receive. Each machine has a few "files" (a map tests
// write into) that snapshots copy to a JSON file per machine and forks read back; a fake
// made with `{ snapshots: false }` has no snapshot methods, like a driver that cannot yet.
// It never touches the host beyond the snapshot directory it is given.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { Server, utils, type Connection } from 'ssh2';
import type { DriverName, MachineState } from '../../host-agent/api/protocol';
import type { DoctorReport, Driver, DriverContext, MachineSnapshot, PlaygroundSpec } from '../../host-agent/drivers/protocol';
import { duplexPair } from '../../host-agent/util/duplex-pair';
import { readOwnJson } from '../../host-agent/util/json';

export type FakeOp = 'create' | 'start' | 'stop' | 'destroy' | 'adopt' | 'snapshot' | 'createFromSnapshot' | 'deleteSnapshot' | 'refreshIdentity';

interface Gate {
  reached: Promise<void>;
  release: () => void;
}

export class FakeDriver implements Driver {
  /** Machine states per playground id: what "runs" on this fake host (survives a manager restart). */
  readonly machines = new Map<string, Record<string, MachineState>>();
  /** Every lifecycle call, in order. */
  readonly calls: { op: FakeOp; id: string }[] = [];
  /** Set to make preflight fail. */
  preflightError: Error | undefined;
  private readonly failures = new Map<FakeOp, Error[]>();
  private readonly gates = new Map<FakeOp, { gate: Gate; arrived: () => void; wait: Promise<void> }[]>();
  private readonly sshServers = new Set<Connection>();

  /** Per playground, per machine: path → content (what a snapshot keeps). */
  readonly files = new Map<string, Record<string, Record<string, string>>>();
  /** Snapshot directories deleteSnapshot was called with. */
  readonly deletedSnapshots: string[] = [];

  snapshot?: Driver['snapshot'] = async (spec, dir, ctx) => {
    await this.step('snapshot', spec.id);
    const files = this.files.get(spec.id) ?? {};
    return spec.machines.map((m): MachineSnapshot => {
      ctx.progress('snapshot', 'started', m.name);
      const rel = path.join('machines', m.name, 'files.json');
      fs.mkdirSync(path.join(dir, 'machines', m.name), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), JSON.stringify(files[m.name] ?? {}));
      ctx.progress('snapshot', 'done', m.name);
      return { name: m.name, image: m.image, paths: [rel], bytes: fs.statSync(path.join(dir, rel)).size };
    });
  };

  createFromSnapshot?: Driver['createFromSnapshot'] = async (spec, dir, ctx) => {
    await this.step('createFromSnapshot', spec.id);
    const files: Record<string, Record<string, string>> = {};
    for (const m of spec.machines) files[m.name] = readOwnJson<Record<string, string>>(path.join(dir, 'machines', m.name, 'files.json'));
    this.files.set(spec.id, files);
    this.machines.set(spec.id, {});
    this.run(spec, ctx);
  };

  /** What checkSnapshot says is gone outside the snapshot directory (a stand-in for a removed engine image). */
  outsideProblem: string | undefined;

  checkSnapshot?: Driver['checkSnapshot'] = async () => this.outsideProblem;

  deleteSnapshot?: Driver['deleteSnapshot'] = async (dir) => {
    await this.step('deleteSnapshot', path.basename(dir));
    this.deletedSnapshots.push(dir);
  };

  constructor(
    readonly name: DriverName = 'sandbox',
    opts: { snapshots?: boolean } = {},
  ) {
    if (opts.snapshots === false) {
      this.snapshot = undefined;
      this.createFromSnapshot = undefined;
      this.checkSnapshot = undefined;
      this.deleteSnapshot = undefined;
    }
  }

  /** The next `op` throws `message`. */
  failNext(op: FakeOp, message: string): void {
    const list = this.failures.get(op) ?? [];
    list.push(new Error(message));
    this.failures.set(op, list);
  }

  /** The next `op` waits until released; `reached` resolves once it is waiting. */
  hold(op: FakeOp): Gate {
    let arrived!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((r) => (arrived = r));
    const wait = new Promise<void>((r) => (release = r));
    const gate = { reached, release };
    const list = this.gates.get(op) ?? [];
    list.push({ gate, arrived, wait });
    this.gates.set(op, list);
    return gate;
  }

  describeIsolation(): string {
    return 'fake: nothing is isolated, nothing runs';
  }

  doctor(): Promise<DoctorReport> {
    return Promise.resolve({ driver: this.name, usable: !this.preflightError, checks: [] });
  }

  preflight(): Promise<void> {
    return this.preflightError ? Promise.reject(this.preflightError) : Promise.resolve();
  }

  async create(spec: PlaygroundSpec, ctx: DriverContext): Promise<void> {
    await this.step('create', spec.id);
    this.machines.set(spec.id, {});
    this.run(spec, ctx);
  }

  async start(spec: PlaygroundSpec, ctx: DriverContext): Promise<void> {
    await this.step('start', spec.id);
    this.run(spec, ctx);
  }

  async stop(spec: PlaygroundSpec): Promise<void> {
    await this.step('stop', spec.id);
    this.machines.set(spec.id, Object.fromEntries(spec.machines.map((m) => [m.name, 'stopped' as const])));
  }

  async destroy(spec: PlaygroundSpec): Promise<void> {
    await this.step('destroy', spec.id);
    this.machines.delete(spec.id);
    this.files.delete(spec.id);
  }

  /** The identity lives in the spec (connect() serves SSH from it), so the spec the manager passes next is the new identity; recorded for tests. */
  readonly identities: { id: string; authorizedKey: string; hostKeys: string[] }[] = [];

  async refreshIdentity(spec: PlaygroundSpec): Promise<void> {
    await this.step('refreshIdentity', spec.id);
    this.identities.push({ id: spec.id, authorizedKey: spec.authorizedKey, hostKeys: spec.machines.map((m) => m.hostKey.publicKey) });
  }

  async adopt(spec: PlaygroundSpec): Promise<Record<string, MachineState>> {
    await this.step('adopt', spec.id);
    return { ...(this.machines.get(spec.id) ?? {}) };
  }

  connect(spec: PlaygroundSpec, machine: string, port: number): Promise<Duplex> {
    const m = spec.machines.find((x) => x.name === machine);
    if (!m || this.machines.get(spec.id)?.[machine] !== 'running') return Promise.reject(new Error(`machine ${machine} of ${spec.id} is not running`));
    const [ours, theirs] = duplexPair();
    if (port === 22) this.serveSsh(spec, m.hostKey.privateKey, ours);
    else if (port === 7) ours.pipe(ours);
    else return Promise.reject(new Error(`connection refused inside the machine (port ${port})`));
    return Promise.resolve(theirs);
  }

  memoryUsage(spec: PlaygroundSpec): Promise<Record<string, number>> {
    return Promise.resolve(Object.fromEntries(spec.machines.map((m, i) => [m.name, (i + 1) * 1024 * 1024])));
  }

  address(spec: PlaygroundSpec, machine: string): string | undefined {
    const index = spec.machines.findIndex((m) => m.name === machine);
    return index < 0 ? undefined : `10.0.0.${index + 2}`;
  }

  close(): Promise<void> {
    for (const c of this.sshServers) c.end();
    this.sshServers.clear();
    return Promise.resolve();
  }

  private run(spec: PlaygroundSpec, ctx: DriverContext): void {
    const states = this.machines.get(spec.id) ?? {};
    for (const m of spec.machines) {
      ctx.progress('machine', 'started', m.name);
      states[m.name] = 'running';
      ctx.progress('machine', 'done', m.name);
    }
    this.machines.set(spec.id, states);
  }

  private async step(op: FakeOp, id: string): Promise<void> {
    this.calls.push({ op, id });
    const gate = this.gates.get(op)?.shift();
    if (gate) {
      gate.arrived();
      await gate.wait;
    }
    const failure = this.failures.get(op)?.shift();
    if (failure) throw failure;
  }

  /** `exec` answers `ran: <command>` on stdout, `as <user>` on stderr, exit 3 when the command says `fail`. */
  private serveSsh(spec: PlaygroundSpec, hostKey: string, stream: Duplex): void {
    const allowed = utils.parseKey(spec.authorizedKey);
    if (allowed instanceof Error) throw allowed;
    const server = new Server({ hostKeys: [hostKey], ident: 'OpenSSH_9.2 FakeDriver' }, (client) => {
      this.sshServers.add(client);
      let user = '';
      client.on('authentication', (ctx) => {
        const want = allowed.getPublicSSH();
        if (ctx.method !== 'publickey' || ctx.key.data.length !== want.length || !timingSafeEqual(ctx.key.data, want)) return ctx.reject(['publickey']);
        if (ctx.signature && ctx.blob && allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['publickey']);
        user = ctx.username;
        ctx.accept();
      });
      client.on('ready', () =>
        client.on('session', (accept) =>
          accept().on('exec', (acceptExec, _reject, info) => {
            const channel = acceptExec();
            channel.write(`ran: ${info.command}\n`);
            channel.stderr.write(`as ${user}\n`);
            channel.exit(/\bfail\b/.test(info.command) ? 3 : 0);
            channel.end();
          }),
        ),
      );
      client.on('error', () => undefined);
      client.on('close', () => this.sshServers.delete(client));
    });
    // ssh2 serves any duplex stream; its types name net.Socket only.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-type-assertion -- see above
    server.injectSocket(stream as never);
  }
}
