// Routes `run` (WebSocket) and `tcpRun` (`sandlot run`, raw upgraded connection): make a
// playground, run one command in it with the client's stdin/stdout/stderr, destroy it
// unless asked to keep it, answer the exit code: one request instead of create, wait,
// tunnel, SSH login and destroy from the client. The messages are in api/run-frames.ts,
// carried by either link of api/run-link.ts. Whatever ends the run (the command, a cancel, the
// client going away, an error) takes the playground down unless `keep`.
import type { ClientChannel, Client as SshClient } from 'ssh2';
import { ApiProblem, type PlaygroundRecord } from '../api/protocol';
import { dataFrame, RUN_STDERR, RUN_STDIN, RUN_STDOUT, signalExitCode, type RunControl, type RunEvent } from '../api/run-frames';
import type { RunLink } from '../api/run-link';
import { runRequest } from '../api/schemas';
import type { PlaygroundManager } from '../playgrounds/manager';
import { errorMessage } from '../util/errors';
import { parseOwnJson } from '../util/json';
import { asProblem } from './http';
import { loginToMachine } from './machine-ssh';
import { parseRequest } from './parse-request';

/** Exit code of a cancelled run, as a shell reports Ctrl-C. */
const CANCELLED = 130;
/** Output frames in flight to a slow client before the command's output is paused. */
const MAX_PENDING_FRAMES = 64;

export function serveRun(manager: PlaygroundManager, link: RunLink): void {
  new RunSession(manager, link).listen();
}

class RunSession {
  private started = false;
  private cancelled = false;
  private done = false;
  private keep = false;
  private id: string | undefined;
  private record: PlaygroundRecord | undefined;
  private ssh: SshClient | undefined;
  private channel: ClientChannel | undefined;
  /** stdin that arrived before the command started. */
  private readonly stdin: Buffer[] = [];
  private stdinEnded = false;
  private pending = 0;
  private wakeCancel: (() => void) | undefined;
  /** Settles once the playground exists (or could not be made): what ends the run waits for it, so nothing is left behind. */
  private creating: Promise<void> = Promise.resolve();

  constructor(
    private readonly manager: PlaygroundManager,
    private readonly link: RunLink,
  ) {}

  listen(): void {
    this.link.onMessage(({ text, bytes }) => {
      try {
        if (!this.started) return this.start(text ? bytes.toString('utf8') : undefined);
        if (!text) return this.onStdin(bytes);
        this.onControl(parseOwnJson<RunControl>(bytes.toString('utf8')));
      } catch (err) {
        void this.fail(err);
      }
    });
    // A client that goes away (killed, network) cancels: nothing is left running for it.
    this.link.onClose(() => this.cancel());
  }

  private start(text: string | undefined): void {
    this.started = true;
    if (text === undefined) throw new ApiProblem('invalid_request', 'run: the first frame must be the run request (JSON text)');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ApiProblem('invalid_json', 'run request: expected a JSON object');
    }
    const req = parseRequest(runRequest, json, 'run request');
    this.keep = !!req.keep;
    void this.run(req).catch((err: unknown) => this.fail(err));
  }

  private async run(req: ReturnType<typeof runRequest.parse>): Promise<void> {
    // Not kept: made with its run mark (the playground ends with this run, see createForRun).
    const create = this.keep ? this.manager.create(req.playground) : this.manager.createForRun(req.playground);
    this.creating = create.then(
      (r) => {
        this.id = r.id;
        this.record = r;
      },
      () => undefined,
    );
    const created = await create;
    await this.creating;
    if (this.cancelled) return;
    this.send({ type: 'created', playground: created });
    const machine = req.machine ?? created.machines[0]?.name;
    if (!machine || !created.machines.some((m) => m.name === machine)) {
      throw new ApiProblem(
        'machine_not_found',
        `--machine: ${created.template} has no machine "${machine}" (machines: ${created.machines.map((m) => m.name).join(', ')})`,
      );
    }
    const settled = this.manager.settled(created.id);
    // The login (tens of milliseconds) overlaps the end of provisioning: it starts once the
    // driver has made the machines (the record saying `running` is still being written, init
    // tasks may still run); the command still waits for `running`.
    const early = this.manager
      .machinesMade(created.id, settled)
      .then(() => loginToMachine(this.manager, created.id, machine, req.user, true))
      .then(
        (l) => {
          l.client.on('error', () => undefined); // the machine going away (a failed start, a cancel) ends it
          // Whatever ends the run from now on ends this login too.
          if (this.done) l.client.end();
          else this.ssh = l.client;
          return l;
        },
        () => undefined,
      );
    const ready = await this.untilCancelled(settled);
    if (!ready) return;
    this.record = ready;
    if (ready.state !== 'running')
      throw new ApiProblem('not_running', `playground ${created.id} did not start (${ready.state})${ready.error ? `: ${ready.error}` : ''}`);
    this.send({ type: 'running', playground: ready });
    // A login that could not start early (its machine answered only later) is made now.
    const loggingIn = early.then((l) => l ?? loginToMachine(this.manager, created.id, machine, req.user));
    // A login that completes after a cancel is closed at once.
    void loggingIn.then((l) => (this.done ? l.client.end() : undefined)).catch(() => undefined);
    const login = await this.untilCancelled(loggingIn);
    if (!login) return;
    this.ssh = login.client;
    login.client.on('error', () => undefined); // the channel's close ends the run
    // The exit status is an event, not stream data: listen from the channel's first moment.
    const exit: { code?: number | null; signal?: string } = {};
    let closed: Promise<void> = Promise.resolve();
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      login.client.exec(req.command, req.tty ? { pty: { cols: req.tty.cols, rows: req.tty.rows, term: req.tty.term } } : {}, (err, ch) => {
        if (err) return reject(new ApiProblem('exec_failed', `cannot run the command in ${machine}: ${err.message}`));
        ch.on('exit', (code: number | null, signal?: string) => Object.assign(exit, { code, signal }));
        closed = new Promise<void>((done) => ch.on('close', done));
        resolve(ch);
      }),
    );
    if (this.done) return void channel.close();
    this.channel = channel;
    for (const chunk of this.stdin.splice(0)) channel.write(chunk);
    if (this.stdinEnded) channel.end();
    channel.on('data', (d: Buffer) => this.output(RUN_STDOUT, d, channel));
    channel.stderr.on('data', (d: Buffer) => this.output(RUN_STDERR, d, channel));
    await closed;
    if (this.cancelled) return;
    const code = typeof exit.code === 'number' ? exit.code : signalExitCode(exit.signal);
    await this.finish(code, exit.signal, true);
  }

  /** Resolves with the value, or undefined once the run was cancelled meanwhile (the cancel then finishes it). */
  private async untilCancelled<T>(work: Promise<T>): Promise<T | undefined> {
    const cancelled = new Promise<undefined>((resolve) => (this.wakeCancel = () => resolve(undefined)));
    const value = await Promise.race([work, cancelled]);
    return this.cancelled ? undefined : value;
  }

  private output(stream: number, bytes: Buffer, channel: ClientChannel): void {
    if (!this.link.open) return;
    this.pending++;
    if (this.pending === MAX_PENDING_FRAMES) channel.pause();
    this.link.send({ data: dataFrame(stream, bytes) }, () => {
      this.pending--;
      if (this.pending === MAX_PENDING_FRAMES / 2) channel.resume();
    });
  }

  private onStdin(frame: Buffer): void {
    if (frame[0] !== RUN_STDIN)
      throw new ApiProblem('invalid_request', `run: a binary frame from the client must start with ${RUN_STDIN} (stdin), got ${frame[0]}`);
    const bytes = frame.subarray(1);
    if (!this.channel) return void this.stdin.push(Buffer.from(bytes));
    if (!this.channel.write(bytes)) {
      this.link.pause();
      this.channel.once('drain', () => this.link.resume());
    }
  }

  private onControl(c: RunControl): void {
    if (c.type === 'eof') {
      this.stdinEnded = true;
      this.channel?.end();
    } else if (c.type === 'resize') this.channel?.setWindow(c.rows, c.cols, 0, 0);
    else if (c.type === 'cancel') this.cancel();
    else throw new ApiProblem('invalid_request', 'run: expected a control frame of type eof, resize or cancel');
  }

  private cancel(): void {
    if (this.done || this.cancelled) return;
    this.cancelled = true;
    this.wakeCancel?.();
    this.channel?.close();
    void this.finish(CANCELLED);
  }

  /**
   * Takes the playground down (unless `keep`), then answers `exit` and closes. After the
   * command ran (`ran`), the answer does not wait for the destroy: the agent owns it, across
   * a restart too, from the playground's making (its run mark) or from `destroying` on disk
   * (manager.releaseForDestroy).
   */
  private async finish(code: number, signal?: string, ran = false): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.ssh?.end();
    try {
      const record = await this.takeDown(ran);
      if (record) this.send({ type: 'exit', code, signal, kept: this.keep, playground: record });
      else this.send({ type: 'error', code: 'invalid_request', message: 'run: cancelled before a playground was made' });
    } catch (err) {
      this.send({ type: 'error', code: 'internal', message: `the command ended (exit ${code}), but removing the playground failed: ${errorMessage(err)}` });
    }
    this.close();
  }

  private async fail(err: unknown): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.ssh?.end();
    const problem = asProblem(err);
    let message = problem.message;
    try {
      await this.takeDown();
    } catch (destroyErr) {
      message += `; removing the playground failed too: ${errorMessage(destroyErr)}`;
    }
    this.send({ type: 'error', code: problem.code, message });
    this.close();
  }

  /** Destroys the playground unless it is kept (`release`: in the background once that is recorded); the record as it was last seen. */
  private async takeDown(release = false): Promise<PlaygroundRecord | undefined> {
    await this.creating;
    if (!this.id) return this.record;
    if (this.keep) return this.current();
    if (release) {
      const released = await this.manager.releaseForDestroy(this.id).then(
        () => true,
        () => false,
      );
      if (released) return this.record;
    }
    // Destroy waits for the provisioning queued before it: a cancelled start is undone, not left half made.
    await this.manager.destroy(this.id).catch((err: unknown) => {
      if (!(err instanceof ApiProblem && err.code === 'playground_not_found')) throw err;
    });
    return this.record;
  }

  private current(): PlaygroundRecord | undefined {
    try {
      return this.id ? this.manager.get(this.id) : this.record;
    } catch {
      return this.record;
    }
  }

  private send(e: RunEvent): void {
    if (this.link.open) this.link.send({ text: JSON.stringify(e) });
  }

  private close(): void {
    this.link.close();
  }
}
