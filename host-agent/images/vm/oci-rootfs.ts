// An OCI image as a rootfs directory, without a container engine: Debian's skopeo copies
// it from its registry into an OCI layout, Debian's umoci unpacks the layout's layers
// (whiteouts and all) into a directory. The microvm builder then adds the Sandlot layers
// and makes a disk of it. Loopback registries are reached over plain HTTP, as the Docker
// engine does for them; every other one over HTTPS.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readOwnJson } from '../../util/json';
import { runCommand } from '../../util/run-command';
import { ociReference, ociRegistryIsLoopback } from '../oci';
import { findTool } from '../../drivers/microvm/doctor';

export const OCI_TOOLS_HOW_TO = 'apt-get install skopeo umoci';

/** What is missing on this host to pull OCI images for VMs, or undefined. */
export function ociToolsProblem(): string | undefined {
  const missing = ['skopeo', 'umoci'].filter((t) => !findTool(t));
  return missing.length ? `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed: ${OCI_TOOLS_HOW_TO}` : undefined;
}

/** Copies the image into `<work>/layout` and returns its manifest digest (what the image is, whatever its tag says later). */
export async function pullOciLayout(source: string, work: string): Promise<string> {
  const ref = ociReference(source);
  const tls = ociRegistryIsLoopback(ref) ? ['--src-tls-verify=false'] : [];
  try {
    // --insecure-policy: no /etc/containers/policy.json to consult; the reference is the manifest's own.
    await runCommand('skopeo', ['copy', '--insecure-policy', '--quiet', ...tls, `docker://${ref}`, `oci:${path.join(work, 'layout')}:image`]);
  } catch (err) {
    throw new Error(`${source}: cannot pull ${ref}: ${err instanceof Error ? err.message.trim().split('\n').slice(-2).join(' ') : String(err)}`, {
      cause: err,
    });
  }
  const index = readOwnJson<{ manifests?: { digest?: string }[] }>(path.join(work, 'layout', 'index.json'));
  const digest = index.manifests?.[0]?.digest;
  if (!digest) throw new Error(`${source}: the pulled layout has no manifest`);
  return digest;
}

/** Unpacks the pulled layout into `<work>/bundle/rootfs` and returns that directory. */
export async function unpackOciLayout(work: string): Promise<string> {
  await runCommand('umoci', ['unpack', '--image', `${path.join(work, 'layout')}:image`, path.join(work, 'bundle')]);
  const rootfs = path.join(work, 'bundle', 'rootfs');
  if (!fs.existsSync(path.join(rootfs, 'bin')) && !fs.existsSync(path.join(rootfs, 'usr', 'bin')))
    throw new Error('the OCI image has no /bin or /usr/bin: not an OS image');
  return rootfs;
}
