// `POST …/exec`: runs one command in a machine over the agent's own SSH connection to
// it (the playground key, the machine's verified host key) and streams the output back
// as newline-delimited JSON chunks.
import type { ServerResponse } from 'node:http';
import { Client } from 'ssh2';
import type { ExecChunk, ExecRequest } from '../api/protocol';
import { publicKeyBody } from '../keys/keys';
import { ApiProblem, type PlaygroundManager } from '../playgrounds/manager';
import { shellQuote as quoteShell } from '../tasks/template';

export function checkExecRequest(body: ExecRequest): void {
  if (typeof body.command !== 'string' || body.command.length === 0) {
    throw new ApiProblem(400, 'invalid_request', 'command: expected a non-empty string');
  }
  if (body.user !== undefined && typeof body.user !== 'string') throw new ApiProblem(400, 'invalid_request', 'user: expected a string');
  if (body.timeoutSeconds !== undefined && !(typeof body.timeoutSeconds === 'number' && body.timeoutSeconds > 0)) {
    throw new ApiProblem(400, 'invalid_request', 'timeoutSeconds: expected a positive number');
  }
  for (const [k, v] of Object.entries(body.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || typeof v !== 'string') {
      throw new ApiProblem(400, 'invalid_request', `env.${k}: expected a variable name with a string value`);
    }
  }
}

export async function execInMachine(manager: PlaygroundManager, id: string, machine: string, body: ExecRequest, res: ServerResponse): Promise<void> {
  checkExecRequest(body);
  const record = manager.get(id);
  const m = record.machines.find((x) => x.name === machine);
  const user = body.user ?? m?.defaultUser ?? 'root';
  if (m && !m.users.includes(user))
    throw new ApiProblem(400, 'invalid_request', `user: machine ${machine} has no user "${user}" (users: ${m.users.join(', ')})`);
  const sock = await manager.connect(id, machine, 22, false);
  const expectedHostKey = publicKeyBody(m!.hostKey);
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', reject);
    client.connect({
      sock: sock as never,
      username: user,
      privateKey: manager.userKey(id).privateKey,
      hostVerifier: (key: Buffer) => hostKeyMatches(key, expectedHostKey),
      readyTimeout: 20_000,
    });
  });
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  const send = (c: ExecChunk) => res.write(`${JSON.stringify(c)}\n`);
  const env = Object.entries(body.env ?? {})
    .map(([k, v]) => `export ${k}=${quoteShell(v)}; `)
    .join('');
  const command = body.timeoutSeconds ? `${env}exec timeout ${Math.ceil(body.timeoutSeconds)} bash -c ${quoteShell(body.command)}` : `${env}${body.command}`;
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
