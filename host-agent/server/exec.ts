// `POST …/exec`: runs one command in a machine over the agent's own SSH connection to
// it (the playground key, the machine's verified host key) and streams the output back
// as newline-delimited JSON chunks.
import type { ServerResponse } from 'node:http';
import { Client } from 'ssh2';
import { ApiProblem, type BodyOf, type ExecChunk } from '../api/protocol';
import { publicKeyBody } from '../keys/keys';
import type { PlaygroundManager } from '../playgrounds/manager';
import { shellQuote } from '../util/shell-quote';

export async function execInMachine(manager: PlaygroundManager, id: string, machine: string, body: BodyOf<'exec'>, res: ServerResponse): Promise<void> {
  const record = manager.get(id);
  const m = record.machines.find((x) => x.name === machine);
  const user = body.user ?? m?.defaultUser ?? 'root';
  if (m && !m.users.includes(user)) throw new ApiProblem('invalid_request', `user: machine ${machine} has no user "${user}" (users: ${m.users.join(', ')})`);
  const sock = await manager.connect(id, machine, 22, false);
  const expectedHostKey = publicKeyBody(m!.hostKey);
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', (err) => reject(new ApiProblem('exec_failed', `cannot log in to ${machine} as ${user}: ${err.message}`)));
    client.connect({
      sock,
      username: user,
      privateKey: manager.userKey(id).privateKey,
      hostVerifier: (key: Buffer) => hostKeyMatches(key, expectedHostKey),
      readyTimeout: 20_000,
    });
  });
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  const send = (c: ExecChunk) => res.write(`${JSON.stringify(c)}\n`);
  const env = Object.entries(body.env ?? {})
    .map(([k, v]) => `export ${k}=${shellQuote(v)}; `)
    .join('');
  const command = body.timeoutSeconds ? `${env}exec timeout ${Math.ceil(body.timeoutSeconds)} bash -c ${shellQuote(body.command)}` : `${env}${body.command}`;
  await new Promise<void>((resolve) => {
    client.exec(command, (err, stream) => {
      if (err) {
        send({ type: 'error', message: err.message });
        return resolve();
      }
      stream.on('data', (d: Buffer) => send({ type: 'stdout', data: d.toString('base64') }));
      stream.stderr.on('data', (d: Buffer) => send({ type: 'stderr', data: d.toString('base64') }));
      let code: number | null = null;
      let signal: string | undefined;
      stream.on('exit', (c: number | null, s?: string) => {
        code = c;
        signal = s ?? undefined;
      });
      stream.on('close', () => {
        send({ type: 'exit', code, signal });
        resolve();
      });
      res.on('close', () => stream.close());
    });
  });
  client.end();
  res.end();
}

function hostKeyMatches(key: Buffer, expected: string): boolean {
  // ssh2 hands the raw public key blob: compare with the base64 part of the line.
  return key.toString('base64') === expected.split(' ')[1];
}
