// The microvm driver's networks and drives with real QEMU (TCG here) and a stand-in
// internet (a namespace the test makes; nothing leaves this host): a machine on a public
// and a private network and one only on the private one, as clones of snapshots of their
// shapes; interfaces in manifest order, the way out (HTTP, DNS) only through the public
// network, names, extra disks formatted, mounted, raw and read-only as asked, a grown
// root, all kept across stop/start; destroy leaves no QEMU, namespace, uplink or file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MicrovmDriver } from '../../../../../host-agent/drivers/microvm/driver';
import type { UplinkRecord } from '../../../../../host-agent/netns/uplink';
import { readOwnJson } from '../../../../../host-agent/util/json';
import { FAKE_INTERNET_BODY, startFakeInternet, type FakeInternet } from '../../../../helpers/fake-internet';
import { snapshotHost, waitForNoLeaks, type HostResources } from '../../../../helpers/host-leaks';
import { makePlayground, manifestFrom, recordingContext, sshExec, type TestPlayground } from '../docker/helpers';
import { VM_CACHE, processesMentioning, removeVmHome } from './helpers';

const LAB = `
kind: playground
name: vm-lab
playground:
  networks:
    - { name: public, subnet: 10.77.1.0/24 }
    - { name: internal, subnet: 10.77.2.0/24, private: true }
  machines:
    - name: gw
      resources: { cpuCount: 1, ramSize: 512Mi }
      kernel: { source: "5.10" }
      network: { interfaces: [{ network: internal }, { network: public }] }
    - name: db
      resources: { cpuCount: 1, ramSize: 512Mi }
      network: { interfaces: [{ network: internal, address: 10.77.2.50 }] }
      drives:
        - { source: linux, mount: /, size: 10GiB }
        - { mount: /data, size: 2GiB }
        - { size: 1GiB }
        - { mount: /srv/seed, size: 1GiB, readOnly: true }
`;

describe('microvm driver: networks, the way out, drives', () => {
  let driver: MicrovmDriver;
  let home: string;
  let internet: FakeInternet;
  let lab: TestPlayground;
  let before: HostResources;
  const ctx = recordingContext();
  const run = async (machine: string, command: string) => (await sshExec(driver, lab, machine, 'root', command, 120_000)).stdout.trim();

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-vmnet-'));
    internet = await startFakeInternet();
    // The agent's DNS forwarder asks the stand-in internet's resolver, never the host's.
    process.env.SANDLOT_DNS_UPSTREAM = internet.dnsAddress;
    driver = new MicrovmDriver({ stateHome: home, cacheDir: VM_CACHE });
    await driver.images.ensure('linux');
    before = snapshotHost();
    lab = makePlayground(manifestFrom(LAB), path.join(home, 'playgrounds'));
    await driver.validate(lab.spec);
    await driver.create(lab.spec, ctx);
  }, 900_000);

  afterAll(async () => {
    if (lab) await driver.destroy(lab.spec, ctx).catch(() => {});
    await driver?.close();
    internet?.close();
    delete process.env.SANDLOT_DNS_UPSTREAM;
    removeVmHome(home);
  }, 120_000);

  it('names interfaces in manifest order and routes out through the public network only', async () => {
    expect(await run('gw', 'ip -o -4 addr show eth0 | cut -d" " -f7; ip -o -4 addr show eth1 | cut -d" " -f7; ip route show default')).toMatch(
      /^10\.77\.2\.2\/24\n10\.77\.1\.2\/24\ndefault via 10\.77\.1\.1 dev eth1/,
    );
    expect(await run('db', 'ip route show default | wc -l; grep -c nameserver /etc/resolv.conf')).toBe('0\n0');
    expect(driver.address(lab.spec, 'db')).toBe('10.77.2.50');
    expect(
      ctx.steps.some((l) =>
        /^log warn\[gw\]: playground\.machines\[0\]\.kernel\.source: 5\.10 is not available: machines boot Debian's cloud kernel 6\./.test(l),
      ),
    ).toBe(true);
  });

  it('reaches the stand-in internet by name from the public network, and not at all from the private one', async () => {
    const gw = await run(
      'gw',
      `getent hosts ${internet.name} | cut -d" " -f1; curl -s -m 20 http://${internet.name}/; echo; grep ^nameserver /etc/resolv.conf`,
    );
    // Its gateway (the playground's namespace) answers DNS, forwarding through the agent.
    expect(gw.split('\n')).toEqual([internet.webAddress, FAKE_INTERNET_BODY, 'nameserver 10.77.1.1']);
    expect(await run('db', `curl -s -m 5 ${internet.url} || echo no-way-out`)).toBe('no-way-out');
    // Even with a route the playground's namespace does not forward a private network out.
    expect(await run('db', `ip route add default via 10.77.2.1; curl -s -m 5 ${internet.url} || echo no-way-out; ip route del default`)).toBe('no-way-out');
  });

  it('resolves <machine> and <machine>.<network> and reaches neighbours on a shared network', async () => {
    expect(await run('db', 'getent hosts gw gw.public db.internal | cut -d" " -f1; ping -c1 -W5 gw >/dev/null && echo reached')).toBe(
      '10.77.2.2\n10.77.1.2\n10.77.2.50\nreached',
    );
  });

  it('formats, mounts and sizes drives as asked and grows the root', async () => {
    const r = await run(
      'db',
      [
        'findmnt -no SOURCE,FSTYPE,OPTIONS /data | cut -d, -f1',
        'df -B1G --output=size /data | tail -1',
        'findmnt -no OPTIONS /srv/seed | cut -d, -f1',
        'touch /srv/seed/x 2>/dev/null && echo writable || echo read-only',
        // The raw drive: attached, never formatted or mounted.
        'lsblk -bdno NAME,SIZE /dev/vdc; blkid /dev/vdc || echo no-fs',
        // 10 GiB asked for the root: grown at boot (in the background, so wait for it).
        'for i in $(seq 60); do [ "$(df -B1G --output=size / | tail -1 | tr -d " ")" -ge 9 ] && break; sleep 1; done; df -B1G --output=size / | tail -1',
        'echo kept > /data/mark; sync',
      ].join('; '),
    );
    expect(r.split('\n').map((l) => l.trim().replace(/\s+/g, ' '))).toEqual(['/dev/vdb ext4 rw', '2', 'ro', 'read-only', 'vdc 1073741824', 'no-fs', '10']);
  });

  it('keeps drives, interfaces and the way out across stop and start', async () => {
    await driver.stop(lab.spec, ctx);
    await driver.start(lab.spec, ctx);
    expect(await run('db', 'cat /data/mark; ip -o -4 addr show eth0 | cut -d" " -f7')).toBe('kept\n10.77.2.50/24');
    expect(await run('gw', `curl -s -m 20 ${internet.url}`)).toBe(FAKE_INTERNET_BODY);
  }, 400_000);

  it('destroy leaves no QEMU, namespace, uplink, mount or file behind', async () => {
    const dir = path.join(home, 'playgrounds', lab.spec.id);
    const uplink = readOwnJson<{ net?: { uplink?: UplinkRecord } }>(path.join(dir, 'driver', 'microvm.json')).net?.uplink;
    expect(uplink?.kind).toBe('veth');
    await driver.destroy(lab.spec, ctx);
    await driver.close();
    expect(processesMentioning(dir)).toEqual([]);
    // The driver's files (disks, sockets, state); the playground's directory itself is the agent's.
    expect(fs.existsSync(path.join(dir, 'driver'))).toBe(false);
    // Its taps lived in its namespace; its end of the uplink on the host is gone, and so is its claim.
    expect(fs.readdirSync('/sys/class/net').filter((n) => /^tap\d/.test(n) || (uplink?.kind === 'veth' && n === uplink.hostIf))).toEqual([]);
    if (uplink?.kind === 'veth') expect(fs.existsSync(`/run/sandlot/uplinks/${uplink.index}`)).toBe(false);
    // Other people's tests run on this host meanwhile (sandbox hubs, their loop devices): count
    // what is this playground's — its files, QEMU, its namespace holder and relay.
    const ours = (x: string) => x.includes(home) || /sleep infinity|node -e/.test(x);
    const left = await waitForNoLeaks(before);
    expect({
      processes: (left.processes ?? []).filter(ours),
      mounts: (left.mounts ?? []).filter(ours),
      loops: (left.loops ?? []).filter(ours),
    }).toEqual({ processes: [], mounts: [], loops: [] });
  });
});
