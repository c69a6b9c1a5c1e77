// PlaygroundSpecs for unit tests, made by the agent's own builder from a manifest, with
// fixed stand-in keys (unit tests never start sshd, so the keys only need their shape).
import { loadManifestText } from '../../host-agent/manifests/load';
import { buildPlaygroundSpec } from '../../host-agent/manifests/spec';
import type { KeyPair, PlaygroundSpec } from '../../host-agent/drivers/protocol';

export const FAKE_USER_KEY: KeyPair = {
  privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nuser\n-----END OPENSSH PRIVATE KEY-----',
  publicKey: 'ssh-ed25519 AAAAuser pg-abcd',
};

export function fakeHostKey(machine: string): KeyPair {
  return { privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${machine}\n-----END OPENSSH PRIVATE KEY-----`, publicKey: `ssh-ed25519 AAAAhost ${machine}` };
}

/** The spec the agent would build for this manifest text (id `pg-abcd`, dir `/tmp/pg-abcd`). */
export function specFrom(yaml: string, id = 'pg-abcd'): PlaygroundSpec {
  const manifest = loadManifestText(yaml, 'test.yaml');
  const hostKeys = Object.fromEntries(manifest.playground.machines.map((m) => [m.name, fakeHostKey(m.name)]));
  return buildPlaygroundSpec(manifest, { id, dir: `/tmp/${id}`, userKey: FAKE_USER_KEY, hostKeys });
}
