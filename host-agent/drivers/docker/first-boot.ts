// The per-machine script the image's init runs once, on the machine's first start:
// users the manifest asks for, the manifest's startup files, registry credentials.
// Generated here, run inside the machine (user and group names resolve there).
import { posix } from 'node:path';
import type { MachineSpec } from '../protocol';
import { REGISTRY_HOSTS } from '../../images/catalog';
import { isSshIdentityFile } from '../../playgrounds/machine-ssh-identity';

/** A POSIX-shell single-quoted word. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A shell function: whether /etc/passwd names user $1 — builtins only, where `id` would be a process. */
const HAS_USER = 'has_user_() { while IFS=: read -r n_ r_; do [ "$n_" = "$1" ] && return 0; done </etc/passwd; return 1; }';

function userLines(spec: MachineSpec): string[] {
  const lines: string[] = [];
  for (const u of spec.users) {
    if (u.name === 'root') continue;
    const n = shq(u.name);
    if (lines.length === 0) lines.push(HAS_USER);
    lines.push(
      `if ! has_user_ ${n}; then`,
      // Keep the wanted uid/gid unless the image already uses them for someone else.
      `  uid_=; getent passwd ${u.uid} >/dev/null || uid_="-u ${u.uid}"`,
      `  if getent group ${n} >/dev/null; then grp_="-g ${u.name}"`,
      `  elif getent group ${u.gid} >/dev/null; then grp_=-U`,
      `  else groupadd -g ${u.gid} ${n}; grp_="-g ${u.name}"; fi`,
      // The host's login shell may not exist in the image; bash always does.
      `  sh_=${shq(u.shell)}; [ -x "$sh_" ] || sh_=/bin/bash`,
      `  useradd -m $uid_ $grp_ -d ${shq(u.home)} -s "$sh_" -G sudo ${n}`,
      `  usermod -p '*' ${n}`,
      `  echo ${shq(`${u.name} ALL=(ALL) NOPASSWD:ALL`)} >/etc/sudoers.d/sandlot-${u.name}`,
      `  chmod 0440 /etc/sudoers.d/sandlot-${u.name}`,
      'fi',
    );
  }
  return lines;
}

/** Owner of a startup file: the given one, else the user whose home it lies in, else root. */
export function startupFileOwner(spec: MachineSpec, path: string, owner?: string): string {
  if (owner) return owner;
  const user = spec.users.find((u) => u.name !== 'root' && (path === u.home || path.startsWith(u.home.replace(/\/$/, '') + '/')));
  // "name:" is the user's login group, whatever its gid ended up being.
  return user ? `${user.name}:` : 'root:root';
}

/**
 * `content` as an argument of the shell's builtin `printf %b`: printable ASCII as it is,
 * every other byte as \0NNN (POSIX), so writing a file starts no process. Undefined for
 * content with a NUL byte, which not every shell's printf writes.
 */
function printfBytes(content: string): string | undefined {
  const bytes = Buffer.from(content, 'utf8');
  if (bytes.includes(0)) return undefined;
  let out = '';
  for (const b of bytes) out += b >= 0x20 && b < 0x7f && b !== 0x5c && b !== 0x27 ? String.fromCharCode(b) : `\\0${b.toString(8).padStart(3, '0')}`;
  return `'${out}'`;
}

/** Whether `owner` (user[:group]) is root, whom a file the first boot (run as root) creates belongs to already. */
function isRootOwner(owner: string): boolean {
  return /^(root|0)(:(root|0)?)?$/.test(owner);
}

/** The umask under which a new file gets `mode` (0666 masked), or undefined for modes it cannot give (x, setuid, sticky bits). */
function umaskFor(mode: string): string | undefined {
  const m = parseInt(mode, 8);
  if (!/^0?[0-7]{3,4}$/.test(mode) || (m & 0o7111) !== 0) return undefined;
  return `0${(~m & 0o777).toString(8).padStart(3, '0')}`;
}

/**
 * Shell lines writing `files` (the machine's startup files, or some of them) with their
 * modes and owners. Process starts are most of a first boot (a machine's start waits for
 * it, and under software emulation each costs ~0.1 s): the contents are written by the
 * shell itself; a new file gets its mode from the umask it is created under and, written
 * by root, is root's already. Only what that cannot give starts a process: one chmod per
 * distinct mode with x bits, one chown per distinct non-root owner, after every file is
 * written, and a chmod and chown for a file that existed before (`>` keeps its mode).
 * `inPlace`: a file that already exists is only rewritten by the shell and keeps its mode
 * and owner — right where these same lines wrote it before (a warm pool member's identity
 * written again); then nothing starts a process, which a guest under software emulation
 * pays ~0.1 s each for. Only a missing file gets its chmod and chown, one by one.
 */
export function startupFileLines(spec: MachineSpec, files = spec.startupFiles, opts: { inPlace?: boolean } = {}): string[] {
  const lines: string[] = [];
  const modes = new Map<string, string[]>();
  const owners = new Map<string, string[]>();
  const add = (groups: Map<string, string[]>, key: string, p: string) => groups.set(key, [...(groups.get(key) ?? []), p]);
  for (const f of files) {
    const p = shq(f.path);
    const rawOwner = startupFileOwner(spec, f.path, f.owner);
    const owner = shq(rawOwner);
    // Written by root (the first boot runs as root), a new file is root's already.
    const byRoot = isRootOwner(rawOwner);
    const dir = shq(posix.dirname(f.path));
    // A directory made for the file belongs to the file's owner (~/.ssh must stay the user's).
    const mkdir = `[ -d ${dir} ] || { mkdir -p ${dir} && chown ${owner} ${dir}; }`;
    const bytes = printfBytes(f.content);
    const to = `${f.append ? '>>' : '>'} ${p}`;
    const write =
      bytes !== undefined ? `printf '%b' ${bytes} ${to}` : `printf '%s' ${shq(Buffer.from(f.content, 'utf8').toString('base64'))} | base64 -d ${to}`;
    const mode = f.mode ?? (f.append ? undefined : '0644');
    if (opts.inPlace && !f.append) {
      lines.push(`if [ -f ${p} ]; then ${write}; else`, mkdir, write, ...(mode ? [`chmod ${mode} ${p}`] : []), `chown ${owner} ${p}`, 'fi');
      continue;
    }
    const umask = mode ? umaskFor(mode) : undefined;
    if (f.append || (mode && !umask)) {
      // Root's own file needs a chown only if it was someone else's before.
      lines.push(`umask 022; ${mkdir}`, ...(byRoot ? [`[ ! -e ${p} ] || chown ${owner} ${p}`] : []), write);
      if (mode) add(modes, mode, p);
      if (!byRoot) add(owners, owner, p);
      continue;
    }
    // A file that existed keeps its mode and owner through `>`: set both (rare: an image's own file).
    const existed = `chmod ${mode} ${p}${byRoot ? `; chown ${owner} ${p}` : ''}`;
    lines.push(`umask 022; ${mkdir}`, `if [ -e ${p} ]; then ${write}; ${existed}; else umask ${umask}; ${write}; fi`);
    if (!byRoot) add(owners, owner, p);
  }
  if (files.length > 0) lines.push('umask 022');
  for (const [mode, paths] of modes) lines.push(`chmod ${mode} ${paths.join(' ')}`);
  for (const [owner, paths] of owners) lines.push(`chown ${owner} ${paths.join(' ')}`);
  return lines;
}

function registryAuthLines(spec: MachineSpec, registryAuth: string | undefined): string[] {
  if (!registryAuth) return [];
  const auth = Buffer.from(registryAuth).toString('base64');
  const config = JSON.stringify({ auths: Object.fromEntries(REGISTRY_HOSTS.map((h) => [h, { auth }])) });
  const lines: string[] = [];
  const homes = [{ home: '/root', owner: 'root:root' }].concat(spec.users.filter((u) => u.name !== 'root').map((u) => ({ home: u.home, owner: `${u.name}:` })));
  for (const { home, owner } of homes) {
    const dir = shq(`${home}/.docker`);
    lines.push(`mkdir -p ${dir}`, `printf '%s\\n' ${shq(config)} >${dir}/config.json`, `chmod 0600 ${dir}/config.json`, `chown -R ${shq(owner)} ${dir}`);
  }
  return lines;
}

export function firstBootScript(spec: MachineSpec, registryAuth?: string): string {
  return [
    '#!/bin/sh',
    `# Sandlot first boot of machine ${spec.name}`,
    'set -eu',
    ...userLines(spec),
    ...startupFileLines(spec),
    ...registryAuthLines(spec, registryAuth),
    '',
  ].join('\n');
}

/**
 * A fork's first boot: only its own SSH identity (the playground key pair and known_hosts of
 * every user), written over the snapshot's; users and the other startup files came with the
 * snapshot. Every driver's fork runs this, so the original's keys never open a fork.
 */
export function forkIdentityScript(spec: MachineSpec, registryAuth?: string): string {
  return firstBootScript(
    { ...spec, users: spec.users.filter((u) => u.uid === 0), startupFiles: spec.startupFiles.filter((f) => isSshIdentityFile(f.path)) },
    registryAuth,
  );
}
