// A new identity for a running docker machine (a playground handed out from the warm
// pool): the files machine-files.ts put in before the first start — host key,
// authorized playground key, first-boot script — go in again with the new keys, and a
// script run in the machine rewrites the playground key files in every user's home
// (first-boot.ts wrote them as the user's own). sshd needs no restart: the OpenSSH of
// Sandlot's images (9.2) re-executes itself per connection and reads the host key then.
import type Docker from 'dockerode';
import { isSshIdentityFile } from '../../playgrounds/machine-ssh-identity';
import type { MachineSpec, PlaygroundSpec } from '../protocol';
import { startupFileLines } from './first-boot';
import { machineFiles, tarFiles } from './machine-files';

/** The shell script that rewrites the users' key files and known_hosts. */
export function identityScript(machine: MachineSpec): string {
  return ['set -eu', ...startupFileLines(machine, machine.startupFiles.filter((f) => isSshIdentityFile(f.path))), ''].join('\n');
}

export async function refreshMachineIdentity(container: Docker.Container, spec: PlaygroundSpec, machine: MachineSpec): Promise<void> {
  await container.putArchive(await tarFiles(machineFiles(spec, machine)), { path: '/' });
  const exec = await container.exec({ Cmd: ['sh', '-c', identityScript(machine)], AttachStdout: true, AttachStderr: true });
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
  const { ExitCode } = state;
  if (ExitCode !== 0) {
    // The multiplexed stream's 8-byte frame headers are noise in a message; printable text is enough.
    const output = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/[^\x20-\x7e\n]/g, '')
      .trim();
    throw new Error(`docker driver: machine ${machine.name}: writing its new keys failed (exit ${ExitCode}): ${output}`);
  }
}
