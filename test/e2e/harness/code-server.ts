// Runs a real VS Code for the e2e suite: code-server in the version this run selected
// (test/e2e/harness/versions.ts; installed by scripts/setup.d/70-e2e.sh) on that version's
// Node, with its own user-data, extensions and XDG dirs, and a private HOME so nothing the
// extension writes (~/.ssh/config) touches the real one.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from './util';
import { entryScript, nodeBinary, selectedVersion, type CodeServerVersion } from './versions';

const execFileP = promisify(execFile);

/** Fails with the fix in the message when the setup part has not installed `v`. */
export function assertCodeServerInstalled(v: CodeServerVersion): void {
  for (const file of [entryScript(v), nodeBinary(v)]) {
    if (!fs.existsSync(file)) throw new Error(`code-server ${v.codeServer} is not installed (${file} is missing); run: bash scripts/setup.d/70-e2e.sh`);
  }
}

/** `code-server --version` says "4.139.1 <commit> with Code 1.139.1": both must be the listed ones. */
async function checkReportedVersion(v: CodeServerVersion, env: NodeJS.ProcessEnv): Promise<void> {
  const { stdout } = await execFileP(nodeBinary(v), [entryScript(v), '--config', '/dev/null', '--version'], { env, timeout: 60_000 });
  const line = stdout.trim().split('\n')[0] ?? '';
  const m = /^(\S+) \S+ with Code (\S+)$/.exec(line);
  if (!m || m[1] !== v.codeServer || m[2] !== v.vscode) {
    throw new Error(
      `code-server in ${path.dirname(entryScript(v))} reports "${line}", expected ${v.codeServer} with Code ${v.vscode}; run: bash scripts/setup.d/70-e2e.sh`,
    );
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
  /** Which code-server; default: the one this run selected. */
  version?: CodeServerVersion;
}

export class CodeServer {
  private constructor(
    readonly version: CodeServerVersion,
    readonly url: string,
    readonly runDir: string,
    readonly home: string,
    private readonly child: ChildProcess,
    readonly logFile: string,
  ) {}

  static async start(opts: CodeServerOptions): Promise<CodeServer> {
    const version = opts.version ?? selectedVersion();
    assertCodeServerInstalled(version);
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
      // Whatever code-server, its extension host or a terminal starts as `node` is the
      // same Node it runs on.
      PATH: [path.dirname(nodeBinary(version)), process.env.PATH].filter(Boolean).join(path.delimiter),
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
          // 1.139's built-in chat view and its agent host doubled the time to an active
          // extension on this 2-core host (108 s against 54 s at load 11); no suite uses them.
          // Older versions ignore the unknown key.
          'chat.disableAIFeatures': true,
          ...opts.settings,
        },
        null,
        2,
      ),
    );
    await checkReportedVersion(version, env);
    const codeServer = [entryScript(version), '--user-data-dir', userDir, '--extensions-dir', extDir, '--config', '/dev/null'];
    for (const vsix of opts.extensions) {
      await execFileP(nodeBinary(version), [...codeServer, '--install-extension', vsix, '--force'], { env, timeout: 120_000 });
    }

    const port = await freePort();
    const logFile = path.join(opts.runDir, 'code-server.log');
    const out = fs.openSync(logFile, 'a');
    const child = spawn(
      nodeBinary(version),
      [
        ...codeServer,
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
    const server = new CodeServer(version, url, opts.runDir, home, child, logFile);
    try {
      await waitFor(`code-server ${version.codeServer} healthy at ${url} (log: ${logFile})`, 60_000, async () => {
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
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port from listen(0)'))));
    });
  });
}
