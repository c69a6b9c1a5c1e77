// SSH keys the agent makes: one ed25519 user key pair per playground, one host key per
// machine. ssh2 writes them in OpenSSH's own format, so OpenSSH reads them unchanged.
import { utils } from 'ssh2';
import type { KeyPair } from '../drivers/protocol';

export function generateEd25519(comment: string): KeyPair {
  const pair = utils.generateKeyPairSync('ed25519', { comment });
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}

/** The `ssh-ed25519 AAAA…` part of a public key line, without its comment. */
export function publicKeyBody(publicKey: string): string {
  return publicKey.trim().split(/\s+/).slice(0, 2).join(' ');
}

export function knownHostsLine(alias: string, publicKey: string): string {
  return `${alias} ${publicKeyBody(publicKey)}`;
}
