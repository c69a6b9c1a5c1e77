// SSH-facing commands: ssh, ssh-proxy (OpenSSH ProxyCommand), ssh-config, cp, port-forward.
// ssh2 is loaded by the commands that speak SSH themselves (ssh, cp), when they run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import type { AgentClient } from '../../api/client';
import { listenForward } from '../../api/port-forward';
import type { PlaygroundRecord } from '../../api/protocol';
import { machineHostEntries, proxyCommand, proxyEnv, renderHostSections } from '../../ssh/host-block';
import { writeFileAtomicModeSync } from '../../util/files';
import { sandlotPaths } from '../../util/paths';
import { errorMessage } from '../../util/errors';
import { CliError, cliScript, client, resolveTarget } from '../context';
import { proxyStdio, proxyTarget } from '../ssh-proxy';

function parseRemote(spec: string): { target: string; remotePath: string } | undefined {
  const m = /^(pg-[a-z0-9]+(?:\/[a-z0-9-]+)?):(.*)$/.exec(spec);
  return m ? { target: m[1], remotePath: m[2] || '.' } : undefined;
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

async function sftpOf(ssh: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => ssh.sftp((err, sftp) => (err ? reject(err) : resolve(sftp))));
}

/** `sandlot ssh-config`'s text for one playground: the same Host sections the extension writes into ~/.ssh/config. */
export function sshConfigText(
  record: PlaygroundRecord,
  files: { keyFile: string; knownHostsFile: string },
  proxy = proxyCommand(process.execPath, cliScript(), { env: proxyEnv() }),
): string {
  return renderHostSections(machineHostEntries(record, files, proxy));
}

/** Writes the playground key (0600) and the host keys where OpenSSH will read them. */
export async function writeClientKeys(c: AgentClient, record: PlaygroundRecord): Promise<{ keyFile: string; knownHostsFile: string }> {
  const paths = sandlotPaths();
  const key = await c.sshKey(record.id);
  const keyFile = path.join(paths.clientKeys, record.id, 'id_ed25519');
  writeFileAtomicModeSync(keyFile, key.privateKey, 0o600);
  writeFileAtomicModeSync(`${keyFile}.pub`, `${key.publicKey}\n`, 0o644);
  let known: string[] = [];
  try {
    known = fs.readFileSync(paths.knownHosts, 'utf8').split('\n').filter(Boolean);
  } catch {
    // first playground
  }
  const aliases = new Set(key.knownHosts.map((l) => l.split(' ')[0]));
  known = [...known.filter((l) => !aliases.has(l.split(' ')[0])), ...key.knownHosts];
  writeFileAtomicModeSync(paths.knownHosts, `${known.join('\n')}\n`, 0o600);
  return { keyFile, knownHostsFile: paths.knownHosts };
}

export function register(program: Command): void {
  program
    .command('ssh')
    .description('open a shell in a machine, or run a command there (exit code propagates)')
    .argument('<playground[/machine]>')
    .argument('[command...]', 'command to run instead of a shell (after --)')
    .option('-u, --user <name>', 'user to log in as (default: the machine default user)')
    .action(async (target: string, command: string[], o: { user?: string }) => {
      const c = client();
      const { record, machine } = await resolveTarget(c, target);
      const { interactiveSsh } = await import('../ssh-session');
      process.exitCode = await interactiveSsh(c, record, machine, o.user, command);
    });

  program
    .command('ssh-proxy')
    .description("connect stdin/stdout to a machine's SSH port (for OpenSSH ProxyCommand)")
    .requiredOption('--stdio', 'use standard input and output')
    .argument('<host-alias>', 'sandlot--<playground>--<machine>')
    .action(async (alias: string) => {
      const target = proxyTarget(alias);
      if (typeof target === 'string') throw new CliError(target);
      await proxyStdio(client(), target);
      process.exit(0);
    });

  program
    .command('ssh-config')
    .description('print OpenSSH Host blocks for playgrounds (keys and known hosts are written to $SANDLOT_HOME/client)')
    .argument('[playground]')
    .action(async (id: string | undefined) => {
      const c = client();
      const records = id ? [(await resolveTarget(c, id)).record] : (await c.list()).filter((r) => r.state === 'running');
      const blocks: string[] = [];
      for (const r of records) {
        blocks.push(sshConfigText(r, await writeClientKeys(c, r)));
      }
      process.stdout.write(blocks.join('\n'));
    });

  program
    .command('cp')
    .description('copy files to or from a machine over SFTP (<playground>[/<machine>]:<path> on one side)')
    .argument('<source>')
    .argument('<destination>')
    .option('-r, --recursive', 'copy directories')
    .option('-u, --user <name>', 'user to copy as')
    .action(async (src: string, dst: string, o: { recursive?: boolean; user?: string }) => {
      const from = parseRemote(src);
      const to = parseRemote(dst);
      if (!!from === !!to) throw new CliError('cp: exactly one side must be remote, written <playground>[/<machine>]:<path>');
      const remoteSide = from ?? to;
      if (!remoteSide) throw new CliError('cp: exactly one side must be remote, written <playground>[/<machine>]:<path>');
      const c = client();
      const { record, machine } = await resolveTarget(c, remoteSide.target);
      const [{ connectMachine }, { download, upload }] = await Promise.all([import('../../ssh/connect'), import('../sftp-copy')]);
      const ssh = await connectMachine(c, record, machine, o.user);
      const opts = { recursive: !!o.recursive, note: (line: string) => process.stderr.write(`${line}\n`) };
      const failed = (where: string) => (err: unknown) => {
        throw err instanceof CliError ? err : new CliError(`cp: ${where}: ${errorMessage(err)}`);
      };
      try {
        const sftp = await sftpOf(ssh);
        if (to) {
          if (!fs.existsSync(src) && !isLink(src)) throw new CliError(`cp: ${src}: no such file or directory`);
          let remote = to.remotePath;
          const st = await new Promise<Stats | undefined>((resolve) => sftp.stat(remote, (err, s) => resolve(err ? undefined : s)));
          if (st?.isDirectory()) remote = path.posix.join(remote, path.basename(src));
          await upload(sftp, src, remote, opts).catch(failed(remote));
        } else {
          let local = dst;
          if (fs.existsSync(local) && fs.statSync(local).isDirectory()) local = path.join(local, path.posix.basename(remoteSide.remotePath));
          await download(sftp, remoteSide.remotePath, local, opts).catch(failed(remoteSide.remotePath));
        }
      } finally {
        ssh.end();
      }
    });

  program
    .command('port-forward')
    .description('forward a local TCP port to a port of a machine')
    .argument('<playground[/machine]>')
    .requiredOption('-L, --local <[addr:]local:remote>', 'local address and port, and the machine port')
    .action(async (target: string, o: { local: string }) => {
      const m = /^(?:(.+):)?(\d+):(\d+)$/.exec(o.local);
      if (!m) throw new CliError(`-L: expected [addr:]localport:remoteport, got "${o.local}"`);
      const [addr, localPort, remotePort] = [m[1] ?? '127.0.0.1', Number(m[2]), Number(m[3])];
      if (remotePort < 1 || remotePort > 65535) throw new CliError(`-L: remote port ${remotePort} is outside 1-65535`);
      const c = client();
      const { record, machine } = await resolveTarget(c, target);
      const forward = await listenForward(
        c,
        { playground: record.id, machine, port: remotePort },
        { host: addr, port: localPort, onError: (err) => process.stderr.write(`port-forward: ${errorMessage(err)}\n`) },
      ).catch((err: unknown) => {
        throw new CliError(`-L: cannot listen on ${addr}:${localPort}: ${errorMessage(err)}`);
      });
      console.log(`Forwarding ${forward.local.address}:${forward.local.port} -> ${record.id}/${machine}:${remotePort} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
      await forward.close();
    });
}
