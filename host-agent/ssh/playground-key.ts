// The publickey check of every SSH server the agent itself runs for machines (the sandbox
// driver's and the microvm driver's front): only the playground's key, and only with a
// signature that verifies, opens a login.
import { timingSafeEqual } from 'node:crypto';
import { utils, type ParsedKey, type PublicKeyAuthContext } from 'ssh2';

/** `probe`: the client only asked whether this key would do (no signature yet); `verified`: signed and good. */
export type KeyCheck = 'rejected' | 'probe' | 'verified';

export function parsePlaygroundKey(authorizedKey: string): ParsedKey {
  const parsed = utils.parseKey(authorizedKey);
  if (parsed instanceof Error) throw new Error(`playground user key: ${parsed.message}`);
  return parsed;
}

export function checkPlaygroundKey(ctx: PublicKeyAuthContext, allowed: ParsedKey): KeyCheck {
  const expected = allowed.getPublicSSH();
  if (ctx.key.algo !== allowed.type || expected.length !== ctx.key.data.length || !timingSafeEqual(expected, ctx.key.data)) return 'rejected';
  if (!ctx.signature) return 'probe';
  return allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true ? 'verified' : 'rejected';
}
