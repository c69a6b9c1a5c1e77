// One e2e session: a real agent (sandbox driver) with its own SANDLOT_HOME, the packaged
// extension installed into code-server, and Chromium on the workbench. Suites and
// benchmarks that drive the extension against live playgrounds start from here, and
// leave their logs next to their screenshots when they close.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, startAgent, type AgentHandle } from '../../helpers/agent-process';
import { CodeServer } from './code-server';
import { packageVsix } from './vsix';
import { waitFor } from './util';
import { ACTIVATION_TIMEOUT, Workbench } from './workbench';

export interface E2eSessionOptions {
  /** Prefix of the temporary run directory. */
  name: string;
  /** Where screenshots and logs go. */
  artifacts: string;
  /** User settings on top of the ones every session needs. */
  settings?: Record<string, unknown>;
  /** Extra `sandlot agent` arguments (e.g. `--check-interval`). */
  agentArgs?: string[];
}

export class E2eSession {
  private constructor(
    readonly runDir: string,
    readonly artifacts: string,
    /** Replaced when a test restarts the agent (same home). */
    public agent: AgentHandle,
    readonly server: CodeServer,
    readonly wb: Workbench,
  ) {}

  static async start(opts: E2eSessionOptions): Promise<E2eSession> {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `sandlot-e2e-${opts.name}-`));
    const home = path.join(runDir, 'sandlot-home');
    fs.mkdirSync(home);
    let agent: AgentHandle | undefined;
    let server: CodeServer | undefined;
    const started = Date.now();
    try {
      agent = await startAgent({ home, ...(opts.agentArgs ? { args: opts.agentArgs } : {}) });
      const vsix = await packageVsix(runDir);
      server = await CodeServer.start({
        runDir,
        extensions: [vsix],
        env: { SANDLOT_HOME: agent.home },
        settings: {
          'sandlot.cli.path': CLI,
          // xterm's DOM renderer puts the terminal's text in the DOM, where tests read it.
          'terminal.integrated.gpuAcceleration': 'off',
          ...opts.settings,
        },
      });
      const wb = await Workbench.open(server.url, path.join(runDir, 'chromium'), opts.artifacts);
      const session = new E2eSession(runDir, opts.artifacts, agent, server, wb);
      await session.waitActive(started);
      return session;
    } catch (err) {
      await server?.stop().catch(() => undefined);
      await agent?.kill().catch(() => undefined);
      fs.rmSync(runDir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * Waits until the extension has activated in the window (its log says so). The first
   * step of a suite can then give VS Code's UI its usual limits: on a loaded host the
   * newer workbench alone can take a minute to start an extension host.
   */
  private async waitActive(since: number): Promise<void> {
    const line = await waitFor('the Sandlot extension to activate', ACTIVATION_TIMEOUT, () => {
      const log = this.extensionLog();
      return (
        log &&
        fs
          .readFileSync(log, 'utf8')
          .split('\n')
          .find((l) => / active \(VS Code /.test(l))
      );
    });
    const seconds = ((Date.now() - since) / 1000).toFixed(1);
    fs.appendFileSync(path.join(this.artifacts, 'timings.txt'), `extension active ${seconds} s after the session started: ${line}\n`);
  }

  /** The extension host's log of the current window (each reload starts a new one). */
  extensionLog(): string | undefined {
    return newestFile(path.join(this.runDir, 'user', 'logs'), 'Sandlot.log');
  }

  /** Keeps the logs with the screenshots, destroys what the session made, removes the run dir. */
  async close(): Promise<void> {
    await this.wb.screenshot('final').catch(() => undefined);
    await this.wb.close();
    fs.copyFileSync(this.server.logFile, path.join(this.artifacts, 'code-server.log'));
    const ext = this.extensionLog();
    if (ext) fs.copyFileSync(ext, path.join(this.artifacts, 'extension.log'));
    await this.server.stop();
    // An agent that died on its own (not by a test's kill) says how, after its log.
    const { exitCode, signalCode } = this.agent.process;
    const died =
      exitCode !== null || signalCode !== null ? `\n[e2e] the agent had exited before the session closed: code ${exitCode}, signal ${signalCode}\n` : '';
    fs.writeFileSync(path.join(this.artifacts, 'agent.log'), this.agent.log() + died);
    for (const p of await this.agent.client.list().catch(() => [])) await this.agent.client.destroy(p.id).catch(() => undefined);
    await this.agent.kill();
    fs.rmSync(this.runDir, { recursive: true, force: true });
  }
}

/** The most recently written file called `name` below `dir`. */
export function newestFile(dir: string, name: string): string | undefined {
  let best: { file: string; mtime: number } | undefined;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === name) {
        const mtime = fs.statSync(p).mtimeMs;
        if (!best || mtime > best.mtime) best = { file: p, mtime };
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return best?.file;
}
