// Runs a real VS Code for the e2e suite: code-server 4.100.3 (installed by
// scripts/setup.d/70-e2e.sh) with its own user-data, extensions and XDG dirs, and a
// private HOME so nothing the extension writes (~/.ssh/config) touches the real one.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, waitFor } from './util';

const execFileP = promisify(execFile);

export const CODE_SERVER_VERSION = '4.100.3';

export function codeServerBin(): string {
  return path.join(repoRoot(), 'test/e2e/.code-server/node_modules/.bin/code-server');
}

/** Fails with the fix in the message when the setup part has not run. */
export function assertCodeServerInstalled(): void {
  if (!fs.existsSync(codeServerBin())) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed at ${codeServerBin()}; run: bash scripts/setup.d/70-e2e.sh`);
  }
}

export interface CodeServerOptions {
  /** Everything of this run lives below it (user data, HOME, logs). */
  runDir: string;
  /** .vsix files to install before the server starts. */
  extensions: string[];
  /** Extra environment for the server and so for the extension host. */
  env?: NodeJS.ProcessEnv;
  /** User settings merged over the quiet defaults. */
  settings?: Record<string, unknown>;
}

export class CodeServer {
  private constructor(
    readonly url: string,
    readonly runDir: string,
    readonly home: string,
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {}

  static async start(opts: CodeServerOptions): Promise<CodeServer> {
    assertCodeServerInstalled();
    const d = (p: string) => {
      const full = path.join(opts.runDir, p);
      fs.mkdirSync(full, { recursive: true });
      return full;
    };
    const home = d('home');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: d('xdg/config'),
      XDG_DATA_HOME: d('xdg/data'),
      XDG_CACHE_HOME: d('xdg/cache'),
      XDG_STATE_HOME: d('xdg/state'),
      TMPDIR: d('tmp'),
      ...opts.env,
    };
    // vitest sets these; the extension host must not believe it runs under a test runner.
    delete env.VITEST;
    delete env.NODE_ENV;
    const userDir = d('user');
    const extDir = d('ext');
    fs.mkdirSync(path.join(userDir, 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(userDir, 'User', 'settings.json'),
      JSON.stringify(
        {
          'telemetry.telemetryLevel': 'off',
          'update.mode': 'none',
          'workbench.startupEditor': 'none',
          'workbench.tips.enabled': false,
          'security.workspace.trust.enabled': false,
          'extensions.autoCheckUpdates': false,
          'extensions.autoUpdate': false,
          'extensions.ignoreRecommendations': true,
          'git.enabled': false,
          'terminal.integrated.enablePersistentSessions': false,
          'window.restoreWindows': 'none',
          'files.hotExit': 'off',
          ...opts.settings,
        },
        null,
        2,
      ),
    );
    const common = ['--user-data-dir', userDir, '--extensions-dir', extDir, '--config', '/dev/null'];
    for (const vsix of opts.extensions) {
      await execFileP(codeServerBin(), [...common, '--install-extension', vsix, '--force'], { env, timeout: 120_000 });
    }

    const port = await freePort();
    const logFile = path.join(opts.runDir, 'code-server.log');
    const out = fs.openSync(logFile, 'a');
    const child = spawn(
      codeServerBin(),
      [
        ...common,
        '--auth',
        'none',
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
      ],
      // Its own process group: stop() kills the server and every child it forked
      // (extension host, pty host, file watcher), which otherwise linger.
      { env, detached: true, stdio: ['ignore', out, out] },
    );
    fs.closeSync(out);
    const url = `http://127.0.0.1:${port}`;
    const server = new CodeServer(url, opts.runDir, home, child, logFile);
    try {
      await waitFor(`code-server healthy at ${url} (log: ${logFile})`, 60_000, async () => {
        if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; log: ${logFile}`);
        const res = await fetch(`${url}/healthz`).catch(() => undefined);
        return res?.ok === true;
      });
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  /** The workbench URL for a folder (a path, or a full URI such as sandlot://…). */
  folderUrl(folder: string): string {
    return `${this.url}/?folder=${encodeURIComponent(folder)}`;
  }

  log(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined || this.child.exitCode !== null) return;
    const group = (sig: NodeJS.Signals) => {
      try {
        process.kill(-pid, sig);
      } catch {
        /* already gone */
      }
    };
    group('SIGTERM');
    const exited = await waitFor('code-server to exit', 10_000, () => this.child.exitCode !== null || this.child.signalCode !== null).then(
      () => true,
      () => false,
    );
    group('SIGKILL');
    if (!exited) await new Promise((r) => setTimeout(r, 200));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
