// ssh2 as a client through the agent tunnel: a real PTY that follows window changes,
// and SFTP confined to the machine's own view of the filesystem.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, ClientChannel, SFTPWrapper } from 'ssh2';
import type { PlaygroundRecord } from '../../../host-agent/api/protocol';
import { connectMachine } from '../../../host-agent/ssh/connect';
import { generateEd25519 } from '../../../host-agent/keys/keys';
import { startAgent, startPlayground, type AgentHandle } from '../../helpers/agent-process';

let agent: AgentHandle;
let pg: PlaygroundRecord;
let ssh: Client;

beforeAll(async () => {
  agent = await startAgent();
  pg = await startPlayground(agent);
  ssh = await connectMachine(agent.client, pg, 'dev');
});

afterAll(async () => {
  ssh?.end();
  if (pg) await agent.client.destroy(pg.id).catch(() => undefined);
  await agent?.kill();
});

function readUntil(stream: ClientChannel, re: RegExp, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; got ${JSON.stringify(out)}`)), timeoutMs);
    const on = (d: Buffer) => {
      out += d.toString();
      const m = re.exec(out);
      if (m) {
        clearTimeout(timer);
        stream.off('data', on);
        resolve(m[0]);
      }
    };
    stream.on('data', on);
  });
}

describe('interactive shell', () => {
  it('runs on a real PTY whose size follows window changes', async () => {
    const stream = await new Promise<ClientChannel>((resolve, reject) =>
      ssh.shell({ term: 'xterm-256color', cols: 100, rows: 30 }, (err, s) => (err ? reject(err) : resolve(s))),
    );
    stream.write('tty; echo "size=$(stty size)"\n');
    expect(await readUntil(stream, /size=30 100/)).toBe('size=30 100');
    stream.setWindow(50, 132, 0, 0);
    await new Promise((r) => setTimeout(r, 200));
    stream.write('echo "size=$(stty size) term=$TERM host=$(hostname)"\n');
    expect(await readUntil(stream, /size=50 132 term=xterm-256color host=dev/)).toBeTruthy();
    const exited = new Promise<number>((resolve) => stream.on('exit', (code: number) => resolve(code)));
    stream.write('exit 5\n');
    expect(await exited).toBe(5);
  });

  it('runs commands with exit codes and separate stderr', async () => {
    const result = await new Promise<{ code: number; out: string; err: string }>((resolve, reject) => {
      ssh.exec('echo out; echo err >&2; exit 9', (e, s) => {
        if (e) return reject(e);
        let out = '';
        let err = '';
        let code = -1;
        s.on('data', (d: Buffer) => (out += d.toString()));
        s.stderr.on('data', (d: Buffer) => (err += d.toString()));
        s.on('exit', (c: number) => (code = c));
        s.on('close', () => resolve({ code, out, err }));
      });
    });
    expect(result).toEqual({ code: 9, out: 'out\n', err: 'err\n' });
  });

  it('refuses users the machine does not have and keys it does not know', async () => {
    await expect(connectMachine(agent.client, pg, 'dev', 'mallory')).rejects.toThrow(/SSH login as mallory refused/);
    const stranger = generateEd25519('stranger').privateKey;
    await expect(connectMachine(agent.client, pg, 'dev', 'root', stranger)).rejects.toThrow(/refused/);
  });
});

describe('SFTP', () => {
  let sftp: SFTPWrapper;
  const call = <T>(fn: (cb: (err: Error | null | undefined, v: T) => void) => void) =>
    new Promise<T>((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));

  beforeAll(async () => {
    sftp = await new Promise((resolve, reject) => ssh.sftp((err, s) => (err ? reject(err) : resolve(s))));
  });

  it('reads and writes the machine home', async () => {
    await call<void>((cb) => sftp.writeFile('/root/sftp.txt', 'via sftp', (e) => cb(e, undefined)));
    const back = await call<Buffer>((cb) => sftp.readFile('/root/sftp.txt', cb));
    expect(back.toString()).toBe('via sftp');
    const realpath = await call<string>((cb) => sftp.realpath('.', cb));
    expect(realpath).toBe('/root');
  });

  it('stays inside the machine: ../, absolute paths and symlinks resolve in the machine view', async () => {
    // A file only the host has (in the host's /tmp, which machines do not share).
    const hostOnly = path.join('/tmp', `sandlot-host-only-${process.pid}`);
    fs.writeFileSync(hostOnly, 'host secret');
    try {
      await expect(call((cb) => sftp.readFile(hostOnly, cb))).rejects.toThrow(/No such file/);
      await expect(call((cb) => sftp.readFile(`../../..${hostOnly}`, cb))).rejects.toThrow(/No such file/);
      await expect(call((cb) => sftp.readFile(path.join(agent.home, 'token'), cb))).rejects.toThrow(/No such file|Permission denied/);
      await call<void>((cb) => sftp.symlink(hostOnly, '/root/link-out', (e) => cb(e, undefined)));
      await expect(call((cb) => sftp.readFile('/root/link-out', cb))).rejects.toThrow(/No such file/);
      await call<void>((cb) => sftp.symlink(path.join(agent.home, 'token'), '/root/link-token', (e) => cb(e, undefined)));
      await expect(call((cb) => sftp.readFile('/root/link-token', cb))).rejects.toThrow(/No such file|Permission denied/);
      // Writing to /etc lands in the machine's own root (an image root) or fails (the host's
      // read-only view): never in the host's /etc.
      await call<void>((cb) => sftp.writeFile('/etc/sandlot-sftp', 'x', () => cb(null, undefined))).catch(() => undefined);
      await call<void>((cb) => sftp.writeFile('../../../etc/sandlot-sftp', 'x', () => cb(null, undefined))).catch(() => undefined);
      expect(fs.existsSync('/etc/sandlot-sftp')).toBe(false);
      // The host file is untouched and the machine's files stayed in its own dir.
      expect(fs.readFileSync(hostOnly, 'utf8')).toBe('host secret');
      expect(fs.existsSync('/root/sftp.txt')).toBe(false);
    } finally {
      fs.rmSync(hostOnly, { force: true });
    }
  });
});
