// Several networks, NAT and DNS on the sandbox driver, as root and as a normal user, with
// a stand-in internet (never a real outside address): a machine on a non-private network
// fetches from it and resolves its name; a machine only on a private network cannot; both
// still reach each other where they share a network; nothing reaches the host's services.
import * as fs from 'node:fs';
import * as http from 'node:http';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlaygroundRecord } from '../../../../../host-agent/api/protocol';
import { readOwnJson } from '../../../../../host-agent/util/json';
import { connectMachine } from '../../../../../host-agent/ssh/connect';
import { startModeAgent, userModeAvailable, type AgentMode, type ModeAgent } from '../../../../helpers/agent-as';
import { waitForState } from '../../../../helpers/agent-process';
import { FAKE_INTERNET_BODY, startFakeInternet, type FakeInternet } from '../../../../helpers/fake-internet';
import { snapshotHost, waitForNoLeaks } from '../../../../helpers/host-leaks';
import { execOn } from '../../../../helpers/ssh-exec';

const modes: AgentMode[] = process.getuid?.() === 0 ? (userModeAvailable() ? ['root', 'user'] : ['root']) : [];

const ROUTING_LAB = stringify({
  kind: 'playground',
  name: 'routing-lab',
  playground: {
    networks: [
      { name: 'frontend', subnet: '10.0.1.0/24' },
      { name: 'backend', subnet: '10.0.2.0/24', private: true },
    ],
    machines: [
      {
        name: 'web-01',
        network: {
          interfaces: [
            { network: 'frontend', address: '10.0.1.10' },
            { network: 'backend', address: '10.0.2.10/24' },
          ],
        },
      },
      { name: 'db-01', network: { interfaces: [{ network: 'backend' }] } },
    ],
  },
});

/** What a TCP connect from a machine gives: `open`, `refused` (reachable, nothing there) or `unreachable`. */
const probe = (host: string, port: number) =>
  `if timeout 3 bash -c 'exec 3<>/dev/tcp/${host}/${port}' 2>/tmp/probe; then echo open; elif grep -q refused /tmp/probe; then echo refused; else echo unreachable; fi`;

describe.skipIf(modes.length === 0).each(modes)('sandbox networks, agent as %s', (mode) => {
  let agent: ModeAgent;
  let internet: FakeInternet;
  let pg: PlaygroundRecord;
  let hostService: http.Server;
  const before = snapshotHost();
  const uplinksBefore = fs.readdirSync('/sys/class/net');
  const on = async (machine: string, command: string) => {
    const ssh = await connectMachine(agent.client, pg, machine);
    try {
      return await execOn(ssh, command, { timeoutMs: 30_000 });
    } finally {
      ssh.end();
    }
  };

  beforeAll(async () => {
    internet = await startFakeInternet();
    // A service of the host on every address: playgrounds must not reach it.
    hostService = http.createServer((_q, r) => r.end('host service')).listen(0, '0.0.0.0');
    agent = await startModeAgent(mode, { env: { SANDLOT_DNS_UPSTREAM: internet.dnsAddress } });
    const created = await agent.client.create({ manifest: ROUTING_LAB, manifestName: 'routing-lab.yaml' });
    pg = await waitForState(agent.client, created.id, 'running', 60_000);
  });

  afterAll(async () => {
    await agent?.stop();
    internet?.close();
    hostService?.close();
  });

  it('puts a machine on each of its networks in interface order, with the default route via the first non-private one', async () => {
    const web = await on('web-01', 'ip -4 -brief addr show; ip route show default; cat /etc/resolv.conf');
    expect(web.stdout).toMatch(/^eth0(@\S+)?\s+UP\s+10\.0\.1\.10\/24/m);
    expect(web.stdout).toMatch(/^eth1(@\S+)?\s+UP\s+10\.0\.2\.10\/24/m);
    expect(web.stdout).toMatch(/^default via 10\.0\.1\.1 dev eth0/m);
    expect(web.stdout).toMatch(/^nameserver 10\.0\.1\.1$/m);
    const db = await on('db-01', 'ip -4 -brief addr show; ip route show default; getent hosts web-01.backend web-01');
    expect(db.stdout).toMatch(/^eth0(@\S+)?\s+UP\s+10\.0\.2\.\d+\/24/m);
    expect(db.stdout).not.toMatch(/^default/m);
    expect(db.stdout).toMatch(/^10\.0\.2\.10\s+web-01\.backend$/m);
  });

  it('lets a machine on a non-private network out through NAT, with DNS for outside names', async () => {
    const r = await on('web-01', `curl -sS --max-time 5 ${internet.url}; echo; getent hosts ${internet.name}; curl -sS --max-time 5 http://${internet.name}/`);
    expect(r.stdout).toContain(FAKE_INTERNET_BODY);
    expect(r.stdout).toMatch(new RegExp(`^${internet.webAddress.replace(/\./g, '\\.')}\\s+${internet.name.replace(/\./g, '\\.')}$`, 'm'));
    expect(r.stdout.split(FAKE_INTERNET_BODY)).toHaveLength(3);
  });

  it('keeps a machine only on a private network in, while it still reaches its neighbour', async () => {
    const r = await on('db-01', `${probe(internet.webAddress, 80)}; ${probe('web-01.backend', 22)}; ${probe('10.0.1.10', 22)}`);
    expect(r.stdout.trim().split('\n')).toEqual(['unreachable', 'open', 'unreachable']);
  });

  it("reaches no service of the host, nor the agent's API", async () => {
    const address = hostService.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const agentPort = Number(new URL(readOwnJson<{ url: string }>(`${agent.home}/agent.json`).url).port);
    const hostAddresses = ['10.0.1.1', '10.199.0.1'];
    // As a normal user, pasta opens connections as that user: services on the host's own
    // non-loopback addresses are reachable (docs/security.md says so); its loopback is not.
    const probes = [
      ...hostAddresses.map((a) => probe(a, agentPort)),
      probe('127.0.0.1', agentPort),
      ...(mode === 'root' ? hostAddresses.map((a) => probe(a, port)) : []),
    ];
    const r = await on('web-01', probes.join('; '));
    expect(r.stdout.trim().split('\n'), probes.join('\n')).not.toContain('open');
  });

  it('leaves no uplink, namespace or process behind', async () => {
    await agent.client.destroy(pg.id);
    await agent.stop();
    internet.close();
    hostService.close();
    const left = await waitForNoLeaks(before);
    expect(left, JSON.stringify(left)).toEqual({});
    expect(fs.readdirSync('/sys/class/net').filter((n) => n.startsWith('slu') && !uplinksBefore.includes(n))).toEqual([]);
  });
});
