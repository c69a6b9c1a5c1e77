// A playground's way out: one link from its network namespace (the sandbox hub's, a
// microvm playground's) to the host, and NAT, so machines on non-private networks reach
// what the host reaches — never other playgrounds, never the host itself.
//
// Agent as root: a veth pair; the host end gets the first address of a /30 from a
// host-wide pool (claimed in /run/sandlot/uplinks, so two agents never share one), the
// host masquerades the pool and drops what comes from an uplink towards another uplink
// or the host. Agent as a normal user: pasta (Debian's passt) or slirp4netns, as rootless
// Podman does: a tap in the namespace whose traffic leaves through sockets the user
// opens; nothing changes on the host.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readOwnJson } from '../util/json';
import { commandOutput, runCommand, SYSTEM_PATH_ENV } from '../util/run-command';
import { isAlive, processStartTime } from '../util/proc';
import { AGENT_IS_ROOT, netEnterArgs } from './enter';

/** The interface a namespace reaches the host through. */
export const UPLINK_IF = 'uplink0';
const POOL = { first: [10, 199], size: 16384 }; // 10.199.0.0/16 in /30s
const CLAIMS = '/run/sandlot/uplinks';
const HOST_IF_PREFIX = 'slu';

/** A bridge of the namespace, for its NAT rules. */
export interface NatBridge {
  name: string;
  private: boolean;
}

export type UplinkRecord =
  | { kind: 'veth'; index: number; hostIf: string; hostAddress: string; nsAddress: string }
  | { kind: 'pasta' | 'slirp4netns'; pid: number; start: number; hostAddress: string; nsAddress: string }
  | { kind: 'none'; reason: string };

function run(argv: string[], input?: string): Promise<void> {
  return runCommand(argv[0], argv.slice(1), { input, env: SYSTEM_PATH_ENV });
}

/** Succeeds or not, quietly (cleanup of what may not exist). */
function attempt(argv: string[]): Promise<boolean> {
  return run(argv).then(
    () => true,
    () => false,
  );
}

function which(tool: string): string | undefined {
  return ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p));
}

/** How this agent would give playgrounds a way out, or why it cannot (for doctor and logs). */
export function uplinkMethod(): { kind: UplinkRecord['kind']; detail: string; fix?: string } {
  if (AGENT_IS_ROOT) {
    if (!which('nft') && !which('iptables')) return { kind: 'none', detail: 'neither nft nor iptables is installed', fix: 'install Debian package nftables' };
    return { kind: 'veth', detail: `veth to the host, NAT with ${which('nft') ? 'nftables' : 'iptables'}` };
  }
  if (which('pasta')) return { kind: 'pasta', detail: 'user-mode networking with pasta (passt)' };
  if (which('slirp4netns')) return { kind: 'slirp4netns', detail: 'user-mode networking with slirp4netns' };
  return {
    kind: 'none',
    detail: 'machines have no way out: a normal-user agent needs pasta (Debian package passt) or slirp4netns',
    fix: 'install Debian package passt (or slirp4netns)',
  };
}

// --- root: veth + host NAT ---

function poolAddress(index: number, host: number): string {
  const n = index * 4 + host;
  return `${POOL.first[0]}.${POOL.first[1] + Math.floor(n / 65536)}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

function interfaceExists(name: string): boolean {
  return fs.existsSync(`/sys/class/net/${name}`);
}

/** Who holds a claim: the agent process (pid and start time, so a reused pid is not it). */
function claimText(owner: string): string {
  return JSON.stringify({ owner, pid: process.pid, start: processStartTime(process.pid) });
}

/**
 * A claim is stale once its interface is gone and the agent that wrote it is gone too. The
 * interface alone does not tell: between a claim and its `ip link add` (tens of ms, longer
 * under load) the interface does not exist yet, and a live claimant must keep it.
 */
function claimIsStale(file: string, hostIf: string): boolean {
  if (interfaceExists(hostIf)) return false;
  try {
    const claim = readOwnJson<{ pid?: unknown; start?: unknown }>(file);
    return !(typeof claim.pid === 'number' && typeof claim.start === 'number' && isAlive(claim.pid, claim.start));
  } catch {
    return true; // unreadable or from an older agent: nobody can be relying on it
  }
}

/** Claims the lowest free /30 of the pool. */
function claimIndex(owner: string): number {
  fs.mkdirSync(CLAIMS, { recursive: true, mode: 0o700 });
  const text = claimText(owner);
  for (let i = 0; i < POOL.size; i++) {
    const file = path.join(CLAIMS, String(i));
    try {
      fs.writeFileSync(file, text, { flag: 'wx', mode: 0o600 });
      return i;
    } catch {
      if (!claimIsStale(file, `${HOST_IF_PREFIX}${i}`)) continue;
      // Stale (its agent died with its playground, or the host rebooted): take it over,
      // unless another agent did so a moment ago.
      try {
        const tmp = `${file}.${process.pid}`;
        fs.writeFileSync(tmp, text, { mode: 0o600 });
        fs.renameSync(tmp, file);
        if (fs.readFileSync(file, 'utf8') === text) return i;
      } catch {
        // another agent won: try the next one
      }
    }
  }
  throw new Error('no free uplink address: 16384 playgrounds already have one');
}

let hostNatReady: Promise<void> | undefined;

/** The host's half of NAT, once per agent: forwarding on, masquerade of the pool, filters. */
function ensureHostNat(): Promise<void> {
  hostNatReady ??= setUpHostNat().catch((err: unknown) => {
    hostNatReady = undefined;
    throw err;
  });
  return hostNatReady;
}

async function setUpHostNat(): Promise<void> {
  fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
  const pool = `${POOL.first[0]}.${POOL.first[1]}.0.0/16`;
  if (which('nft')) {
    // Recreated whole every time: the same text from every agent, so order and races do not matter.
    await run(
      ['nft', '-f', '-'],
      [
        'table inet sandlot',
        'delete table inet sandlot',
        'table inet sandlot {',
        '  chain postrouting {',
        '    type nat hook postrouting priority srcnat; policy accept;',
        `    ip saddr ${pool} oifname != "${HOST_IF_PREFIX}*" masquerade`,
        '  }',
        // Uplinks never talk to each other or start anything towards one another.
        '  chain forward {',
        '    type filter hook forward priority filter - 10; policy accept;',
        `    iifname "${HOST_IF_PREFIX}*" oifname "${HOST_IF_PREFIX}*" drop`,
        `    oifname "${HOST_IF_PREFIX}*" ct state established,related accept`,
        `    oifname "${HOST_IF_PREFIX}*" drop`,
        '  }',
        // The host itself (its services, the agent's API) is out of reach from playgrounds.
        '  chain input {',
        '    type filter hook input priority filter - 10; policy accept;',
        `    iifname "${HOST_IF_PREFIX}*" ct state established,related accept`,
        `    iifname "${HOST_IF_PREFIX}*" drop`,
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  } else {
    const ensure = async (table: string, rule: string[]) => {
      if (!(await attempt(['iptables', '-t', table, '-C', ...rule]))) await run(['iptables', '-t', table, '-I', ...rule]);
    };
    await ensure('nat', ['POSTROUTING', '-s', pool, '!', '-o', `${HOST_IF_PREFIX}+`, '-j', 'MASQUERADE']);
    await ensure('filter', ['INPUT', '-i', `${HOST_IF_PREFIX}+`, '-j', 'DROP']);
    await ensure('filter', ['INPUT', '-i', `${HOST_IF_PREFIX}+`, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);
  }
  // A host whose iptables FORWARD policy is DROP (Docker sets it) would drop forwarded
  // playground traffic in its own table whatever ours says: accept ours there too.
  if (which('iptables')) {
    const policy = await commandOutput('iptables', ['-S', 'FORWARD'], { env: SYSTEM_PATH_ENV, timeoutMs: 10_000 }).catch(() => '');
    if (/^-P FORWARD DROP/m.test(policy)) {
      for (const rule of [
        ['FORWARD', '-o', `${HOST_IF_PREFIX}+`, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
        ['FORWARD', '-i', `${HOST_IF_PREFIX}+`, '!', '-o', `${HOST_IF_PREFIX}+`, '-j', 'ACCEPT'],
      ]) {
        if (!(await attempt(['iptables', '-C', ...rule]))) await run(['iptables', '-I', ...rule]);
      }
    }
  }
}

async function attachVeth(nsPid: number, owner: string, nat?: NatBridge[]): Promise<UplinkRecord> {
  await ensureHostNat();
  const index = claimIndex(owner);
  const hostIf = `${HOST_IF_PREFIX}${index}`;
  const hostAddress = poolAddress(index, 1);
  const nsAddress = poolAddress(index, 2);
  try {
    // A stale claim's interface may still exist (its agent died); usually there is none.
    if (interfaceExists(hostIf)) await attempt(['ip', 'link', 'del', hostIf]);
    // One `ip` for the host's end, one shell in the namespace for its end (and its NAT):
    // process starts are most of a playground's network set-up.
    await run(
      ['ip', '-batch', '-'],
      [`link add ${hostIf} type veth peer name ${UPLINK_IF} netns ${nsPid}`, `addr add ${hostAddress}/30 dev ${hostIf}`, `link set ${hostIf} up`, ''].join(
        '\n',
      ),
    );
    const nsSide = [`addr add ${nsAddress}/30 dev ${UPLINK_IF}`, `link set ${UPLINK_IF} up`, `route replace default via ${hostAddress}`, ''].join('\n');
    if (nat) await run([...netEnterArgs(nsPid), '--', 'sh', '-s'], natScript(nat, nsSide));
    else await run([...netEnterArgs(nsPid), '--', 'ip', '-batch', '-'], nsSide);
  } catch (err) {
    await attempt(['ip', 'link', 'del', hostIf]);
    fs.rmSync(path.join(CLAIMS, String(index)), { force: true });
    throw err;
  }
  return { kind: 'veth', index, hostIf, hostAddress, nsAddress };
}

// --- normal user: pasta or slirp4netns ---

async function attachUserMode(kind: 'pasta' | 'slirp4netns', nsPid: number): Promise<UplinkRecord> {
  const userns = `/proc/${nsPid}/ns/user`;
  const netns = `/proc/${nsPid}/ns/net`;
  // pasta: fixed addresses (a host on 172.16.0.0/24 must not clash with a playground's
  // `local` network), no inbound ports, and the gateway is not mapped to the host's
  // loopback (where the agent's API listens).
  const { argv, nsAddress, hostAddress } =
    kind === 'pasta'
      ? {
          nsAddress: '10.199.0.2',
          hostAddress: '10.199.0.1',
          argv: [
            'pasta',
            '--foreground',
            '--quiet',
            '--config-net',
            '-4',
            '--ns-ifname',
            UPLINK_IF,
            '--address',
            '10.199.0.2',
            '--netmask',
            '30',
            '--gateway',
            '10.199.0.1',
            '--no-map-gw',
            '--no-dhcp',
            '-t',
            'none',
            '-u',
            'none',
            '-T',
            'none',
            '-U',
            'none',
            '--userns',
            userns,
            '--netns',
            netns,
          ],
        }
      : {
          nsAddress: '10.199.0.100',
          hostAddress: '10.199.0.2',
          argv: [
            'slirp4netns',
            '--configure',
            '--cidr',
            '10.199.0.0/24',
            '--disable-host-loopback',
            '--mtu',
            '65520',
            '--userns-path',
            userns,
            '--netns-type',
            'path',
            netns,
            UPLINK_IF,
          ],
        };
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: SYSTEM_PATH_ENV });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Up once the interface has its address inside the namespace.
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${kind} exited (${child.exitCode}): ${stderr.trim()}`);
    const [enter, ...enterArgs] = netEnterArgs(nsPid);
    const shown = await commandOutput(enter, [...enterArgs, '--', 'ip', '-4', '-o', 'addr', 'show', 'dev', UPLINK_IF], {
      env: SYSTEM_PATH_ENV,
      timeoutMs: 2000,
    }).catch(() => '');
    if (shown.includes(nsAddress)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${kind} did not configure ${UPLINK_IF} in 5 s: ${stderr.trim()}`);
    }
    await new Promise((res) => setTimeout(res, 20));
  }
  child.stderr.destroy();
  child.unref();
  return { kind, pid: child.pid!, start: processStartTime(child.pid!)!, nsAddress, hostAddress };
}

/**
 * Gives the network namespace of `nsPid` a way out (`owner` names the playground in the
 * claim). Never throws for a missing tool: the record then says why there is none.
 */
export async function attachUplink(nsPid: number, owner: string, nat?: NatBridge[]): Promise<UplinkRecord> {
  const method = uplinkMethod();
  if (method.kind === 'none') return { kind: 'none', reason: method.detail };
  if (method.kind === 'veth') return attachVeth(nsPid, owner, nat);
  const rec = await attachUserMode(method.kind, nsPid);
  if (nat) {
    try {
      await applyNamespaceNat(nsPid, nat);
    } catch (err) {
      await detachUplink(rec);
      throw err;
    }
  }
  return rec;
}

/** Removes the uplink (and its claim); the namespace side goes with its namespace anyway. */
export async function detachUplink(rec: UplinkRecord | undefined): Promise<void> {
  if (!rec || rec.kind === 'none') return;
  if (rec.kind === 'veth') {
    await attempt(['ip', 'link', 'del', rec.hostIf]);
    fs.rmSync(path.join(CLAIMS, String(rec.index)), { force: true });
    return;
  }
  if (isAlive(rec.pid, rec.start)) {
    try {
      process.kill(rec.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}

/** Whether an uplink made earlier (before an agent restart) still works. */
export function uplinkAlive(rec: UplinkRecord | undefined): boolean {
  if (!rec || rec.kind === 'none') return false;
  return rec.kind === 'veth' ? interfaceExists(rec.hostIf) : isAlive(rec.pid, rec.start);
}

/**
 * The namespace's half: forwarding on, masquerade out of the uplink for the networks that
 * are not private, and no forwarding between the playground's networks (traffic crosses
 * from one to another only through a machine attached to both). `bridges` are the
 * namespace's bridge interfaces.
 */
export function namespaceNatRules(bridges: NatBridge[]): string {
  const open = bridges.filter((b) => !b.private).map((b) => `"${b.name}"`);
  return [
    'table ip sandlot',
    'delete table ip sandlot',
    'table ip sandlot {',
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    `    iifname "${UPLINK_IF}" ct state established,related accept`,
    // Traffic within one network is bridged; with br_netfilter loaded it shows up here too.
    ...bridges.map((b) => `    iifname "${b.name}" oifname "${b.name}" accept`),
    ...(open.length > 0 ? [`    iifname { ${open.join(', ')} } oifname "${UPLINK_IF}" accept`] : []),
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    oifname "${UPLINK_IF}" masquerade`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Applies namespaceNatRules inside the namespace of `nsPid`. */
export async function applyNamespaceNat(nsPid: number, bridges: NatBridge[]): Promise<void> {
  await run([...netEnterArgs(nsPid), '--', 'sh', '-s'], natScript(bridges));
}

/**
 * A `sh -s` script run in the namespace: its end of the uplink (`ip -batch` input, when the
 * same shell configures it), forwarding on, namespaceNatRules. Failures name the step.
 */
function natScript(bridges: NatBridge[], uplinkBatch?: string): string {
  return [
    ...(uplinkBatch
      ? [`ip -batch - <<'SANDLOT_IP' || { echo "the uplink inside the playground's network failed" >&2; exit 1; }`, uplinkBatch + 'SANDLOT_IP']
      : []),
    `{ echo 1 > /proc/sys/net/ipv4/ip_forward && nft -f - <<'SANDLOT_NFT'`,
    namespaceNatRules(bridges) + 'SANDLOT_NFT',
    `} || { echo "NAT inside the playground's network failed" >&2; exit 1; }`,
    '',
  ].join('\n');
}
