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
import { Workbench } from './workbench';

export interface E2eSessionOptions {
  /** Prefix of the temporary run directory. */
  name: string;
  /** Where screenshots and logs go. */
  artifacts: string;
  /** User settings on top of the ones every session needs. */
  settings?: Record<string, unknown>;
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
    try {
      agent = await startAgent({ home });
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
      return new E2eSession(runDir, opts.artifacts, agent, server, wb);
    } catch (err) {
      await server?.stop().catch(() => undefined);
      await agent?.kill().catch(() => undefined);
      fs.rmSync(runDir, { recursive: true, force: true });
      throw err;
    }
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
    fs.writeFileSync(path.join(this.artifacts, 'agent.log'), this.agent.log());
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
