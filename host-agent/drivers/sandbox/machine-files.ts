// A sandbox machine's own files on the host: its /root, /home, /tmp, /var/tmp and the
// /etc files it gets instead of the host's (hosts, hostname, passwd, group), plus the
// manifest's startupFiles. Everything lives under the playground's state dir, so stop,
// start and agent restarts lose nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MachineSpec, MachineUser } from '../protocol';
import { isSshIdentityFile } from '../../playgrounds/machine-ssh-identity';
export { machineUsers } from '../../manifests/users';
import type { IdMap } from './namespaces';

export const OWN_DIRS = ['root', 'home', 'tmp', 'var-tmp'] as const;
const WRITABLE_PREFIXES: Record<string, (typeof OWN_DIRS)[number]> = { '/root': 'root', '/home': 'home', '/tmp': 'tmp', '/var/tmp': 'var-tmp' };

export function machineDir(driverDir: string, machine: string): string {
  return path.join(driverDir, 'machines', machine);
}

/** Where a path inside the machine lives on the host, or undefined if it is on the read-only root. */
export function hostPathFor(dir: string, insidePath: string): string | undefined {
  const normalized = path.posix.normalize(insidePath);
  for (const [prefix, own] of Object.entries(WRITABLE_PREFIXES)) {
    if (normalized === prefix || normalized.startsWith(`${prefix}/`)) {
      return path.join(dir, own, normalized.slice(prefix.length));
    }
  }
  return undefined;
}

/**
 * The machine's /etc/resolv.conf: its network's gateway, where the playground's relay
 * answers by asking the host's resolvers — or a note why there is no DNS for outside names.
 */
export function renderResolvConf(spec: MachineSpec, outside: boolean): string {
  if (outside && spec.defaultRoute) {
    return `# Sandlot: the gateway of this machine's network forwards to the resolvers of the agent's host.\nnameserver ${spec.defaultRoute.gateway}\n`;
  }
  const why = spec.defaultRoute ? 'this playground has no way out (see: sandlot doctor)' : 'this machine is only on private networks';
  return `# Sandlot: no DNS for outside names: ${why}. Machine names resolve through /etc/hosts.\n`;
}

function readHostFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The host's passwd/group plus the machine's users. Host entries with a machine user's
 * name or id are dropped: a host user at uid 1000 would otherwise win the lookup of
 * `laborant` (uid 1000), and whoami, HOME and OpenSSH's ~/.ssh would all be the host's.
 */
export function renderPasswd(
  users: MachineUser[],
  hostPasswd = readHostFile('/etc/passwd'),
  hostGroup = readHostFile('/etc/group'),
): { passwd: string; group: string } {
  const names = new Set(users.map((u) => u.name));
  const uids = new Set(users.map((u) => String(u.uid)));
  const gids = new Set(users.map((u) => String(u.gid)));
  const keep = (text: string, ids: Set<string>) =>
    text
      .split('\n')
      .filter((l) => l && !names.has(l.split(':')[0]) && !ids.has(l.split(':')[2] ?? ''))
      .join('\n');
  const passwd = [keep(hostPasswd, uids), ...users.map((u) => `${u.name}:x:${u.uid}:${u.gid}:${u.name}:${u.home}:${u.shell}`)];
  const group = [keep(hostGroup, gids), ...users.map((u) => `${u.name}:x:${u.gid}:`)];
  return { passwd: `${passwd.filter(Boolean).join('\n')}\n`, group: `${group.filter(Boolean).join('\n')}\n` };
}

function chownInside(file: string, ids: IdMap, uid: number, gid: number): void {
  if (ids.count === 1) return; // as a normal user everything already belongs to the machine's root
  fs.lchownSync(file, ids.outer + uid, ids.outer + gid);
}

/** Creates the machine's directories on first use; leaves existing contents alone. */
export function prepareMachineDirs(dir: string, spec: MachineSpec, ids: IdMap, files: { hosts: string; resolvConf: string }): void {
  const firstTime = !fs.existsSync(path.join(dir, 'root'));
  fs.mkdirSync(path.join(dir, 'etc'), { recursive: true, mode: 0o755 });
  for (const own of OWN_DIRS) {
    const p = path.join(dir, own);
    if (!fs.existsSync(p)) {
      fs.mkdirSync(p, { mode: 0o755 });
      fs.chmodSync(p, own === 'tmp' || own === 'var-tmp' ? 0o1777 : own === 'root' ? 0o700 : 0o755);
      chownInside(p, ids, 0, 0);
    }
  }
  for (const u of spec.users) {
    const home = hostPathFor(dir, u.home);
    if (home && !fs.existsSync(home)) {
      fs.mkdirSync(home, { recursive: true, mode: 0o755 });
      chownInside(home, ids, u.uid, u.gid);
    }
  }
  const { passwd, group } = renderPasswd(spec.users);
  const etc: Record<string, string> = {
    hosts: files.hosts,
    hostname: `${spec.name}\n`,
    'resolv.conf': files.resolvConf,
    passwd,
    group,
  };
  for (const [name, content] of Object.entries(etc)) {
    fs.writeFileSync(path.join(dir, 'etc', name), content, { mode: 0o644 });
  }
  if (firstTime) writeStartupFiles(dir, spec, ids);
}

/** A fork's own SSH identity files, written over the copied directories (the original's keys must go). */
export function writeIdentityFiles(dir: string, spec: MachineSpec, ids: IdMap): void {
  writeStartupFiles(dir, { ...spec, startupFiles: spec.startupFiles.filter((f) => isSshIdentityFile(f.path)) }, ids);
}

function writeStartupFiles(dir: string, spec: MachineSpec, ids: IdMap): void {
  for (const f of spec.startupFiles) {
    const target = hostPathFor(dir, f.path)!;
    const [ownerName, groupName] = (f.owner ?? 'root').split(':');
    const owner = spec.users.find((u) => u.name === ownerName) ?? spec.users[0];
    const group = spec.users.find((u) => u.name === (groupName ?? ownerName)) ?? owner;
    // Directories the file needs belong to its owner too (~/.ssh must stay the user's).
    const created = fs.mkdirSync(path.dirname(target), { recursive: true });
    for (let d = path.dirname(target); created && d.length >= created.length; d = path.dirname(d)) chownInside(d, ids, owner.uid, group.gid);
    if (f.append) fs.appendFileSync(target, f.content);
    else fs.writeFileSync(target, f.content);
    fs.chmodSync(target, parseInt(f.mode ?? '0644', 8));
    chownInside(target, ids, owner.uid, group.gid);
  }
}

/** Problems with a machine's startupFiles on this driver, as `field: message` lines. */
export function startupFileProblems(spec: MachineSpec, machineIndex: number): string[] {
  const problems: string[] = [];
  spec.startupFiles.forEach((f, i) => {
    if (!hostPathFor('/', f.path)) {
      problems.push(
        `playground.machines[${machineIndex}].startupFiles[${i}].path: the sandbox driver keeps the host's root read-only; expected a path under /root, /home, /tmp or /var/tmp, got "${f.path}"`,
      );
    }
    const ownerName = (f.owner ?? 'root').split(':')[0];
    if (!spec.users.some((u) => u.name === ownerName)) {
      problems.push(
        `playground.machines[${machineIndex}].startupFiles[${i}].owner: unknown user "${ownerName}" (expected one of ${spec.users.map((u) => u.name).join(', ')})`,
      );
    }
  });
  return problems;
}
