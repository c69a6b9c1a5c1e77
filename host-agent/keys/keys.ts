// SSH keys the agent makes: one ed25519 user key pair per playground, one host key per
// machine, written in OpenSSH's own formats so OpenSSH and ssh2 read them unchanged.
// Encoded here from Node's crypto rather than with ssh2's generator: that one drops a
// leading zero byte of the public key, so about one key in 200 comes out malformed.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyPair } from '../drivers/protocol';

const KEY_TYPE = 'ssh-ed25519';

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function generateEd25519(comment: string): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const blob = Buffer.concat([sshString(KEY_TYPE), sshString(pub)]);
  const check = randomBytes(4).readUInt32BE();
  let priv = Buffer.concat([uint32(check), uint32(check), sshString(KEY_TYPE), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(comment)]);
  // openssh-key-v1 pads the private section to the cipher block size (8 for "none") with 1, 2, 3, …
  const pad = (8 - (priv.length % 8)) % 8;
  priv = Buffer.concat([priv, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    uint32(1),
    sshString(blob),
    sshString(priv),
  ]);
  const b64 = body
    .toString('base64')
    .replace(/(.{70})/g, '$1\n')
    .trimEnd();
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${b64}\n-----END OPENSSH PRIVATE KEY-----\n`,
    publicKey: `${KEY_TYPE} ${blob.toString('base64')} ${comment}`,
  };
}

/** The `ssh-ed25519 AAAA…` part of a public key line, without its comment. */
export function publicKeyBody(publicKey: string): string {
  return publicKey.trim().split(/\s+/).slice(0, 2).join(' ');
}

export function knownHostsLine(alias: string, publicKey: string): string {
  return `${alias} ${publicKeyBody(publicKey)}`;
}
