// A running docker machine's identity written again from a spec (Driver.refreshIdentity;
// the warm pool does it once for each member it makes, with the member's own keys): what
// machine-files.ts put in before the first start — host key, authorized
// playground key, first-boot script — and the playground key files first-boot.ts wrote
// into every user's home, all written again with the spec's keys by one script run in the
// machine (one exec: the engine's archive upload would cost a second round trip, and
// only a process inside knows the users' ids). sshd needs no restart: the OpenSSH of
// Sandlot's images (9.2) re-executes itself per connection and reads the host key then.
import type Docker from 'dockerode';
import type { StartupFile } from '../../manifests/schema';
import { isSshIdentityFile } from '../../playgrounds/machine-ssh-identity';
import type { MachineSpec, PlaygroundSpec } from '../protocol';
import { startupFileLines } from './first-boot';
import { machineFiles } from './machine-files';

/** The shell script that writes the machine's identity files: the agent's, root's own; the users', theirs. `inPlace`: see startupFileLines. */
export function identityScript(spec: PlaygroundSpec, machine: MachineSpec, opts: { inPlace?: boolean } = {}): string {
  const own: StartupFile[] = machineFiles(spec, machine).map((f) => ({ path: f.path, content: f.content, mode: `0${f.mode.toString(8)}`, owner: 'root:root' }));
  const users = machine.startupFiles.filter((f) => isSshIdentityFile(f.path));
  return ['set -eu', ...startupFileLines(machine, [...own, ...users], opts), ''].join('\n');
}

export async function refreshMachineIdentity(container: Docker.Container, spec: PlaygroundSpec, machine: MachineSpec): Promise<void> {
  const exec = await container.exec({ Cmd: ['sh', '-c', identityScript(spec, machine)], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', reject);
  });
  let state = await exec.inspect();
  // The stream can end a moment before the engine records the exit.
  for (let i = 0; state.Running && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 10));
    state = await exec.inspect();
  }
  if (state.ExitCode !== 0) {
    // The multiplexed stream's 8-byte frame headers are noise in a message; printable text is enough.
    const output = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/[^\x20-\x7e\n]/g, '')
      .trim();
    throw new Error(`docker driver: machine ${machine.name}: writing its new keys failed (exit ${state.ExitCode}): ${output}`);
  }
}
