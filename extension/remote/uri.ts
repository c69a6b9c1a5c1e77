// `sandlot://<playground>.<machine>/<path>`: the built-in remote workspace's URIs.
// Pure (no vscode import) so the mapping is unit-tested; callers pass vscode.Uri parts.

export const SCHEME = 'sandlot';

/** Playground ids are short and URL-safe (`pg-7f3k2a`); machine names are DNS labels. */
const PLAYGROUND_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const MACHINE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export interface MachineRef {
  playground: string;
  machine: string;
}

export interface SandlotLocation extends MachineRef {
  /** Absolute POSIX path inside the machine. */
  path: string;
}

export class SandlotUriError extends Error {
  override name = 'SandlotUriError';
}

export function authorityOf(ref: MachineRef): string {
  if (!PLAYGROUND_ID.test(ref.playground)) {
    throw new SandlotUriError(`playground id: expected lowercase letters, digits and "-", got ${JSON.stringify(ref.playground)}`);
  }
  if (!MACHINE_NAME.test(ref.machine)) {
    throw new SandlotUriError(`machine name: expected a DNS label, got ${JSON.stringify(ref.machine)}`);
  }
  return `${ref.playground}.${ref.machine}`;
}

/** The parts of a `sandlot://` URI, as vscode.Uri.from() takes them. */
export function toUriComponents(loc: SandlotLocation): { scheme: string; authority: string; path: string } {
  return { scheme: SCHEME, authority: authorityOf(loc), path: normalizePath(loc.path) };
}

export function toUriString(loc: SandlotLocation): string {
  const c = toUriComponents(loc);
  return `${c.scheme}://${c.authority}${c.path.split('/').map(encodeURIComponent).join('/')}`;
}

/** Reads a vscode.Uri (or anything with the same fields) back into a location. */
export function parseSandlotUri(uri: { scheme: string; authority: string; path: string }): SandlotLocation {
  if (uri.scheme !== SCHEME) throw new SandlotUriError(`expected a ${SCHEME}:// URI, got scheme "${uri.scheme}"`);
  const authority = uri.authority.toLowerCase();
  const dot = authority.indexOf('.');
  if (dot <= 0 || dot === authority.length - 1) {
    throw new SandlotUriError(`${SCHEME}://${uri.authority}: expected <playground>.<machine> as the authority`);
  }
  const ref = { playground: authority.slice(0, dot), machine: authority.slice(dot + 1) };
  authorityOf(ref); // validates both halves with a message naming the bad one
  return { ...ref, path: normalizePath(uri.path) };
}

/** Absolute, no `.`/`..`/empty segments, no trailing slash (except the root). */
export function normalizePath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

export function sameMachine(a: MachineRef, b: MachineRef): boolean {
  return a.playground === b.playground && a.machine === b.machine;
}
