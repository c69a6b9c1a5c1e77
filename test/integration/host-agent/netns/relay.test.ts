// The network namespace relay, both builds of it (dist/sandlot-relay and the Node one for a
// checkout without a C compiler), through the agent's NetnsRelay in this test's own network
// namespace: connections opened and handed over, listening with many connections at once
// (each socket handed over after the previous one's ACK), UDP both ways, refusals named.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NetnsRelay } from '../../../../host-agent/netns/relay';
import { builtHelper } from '../../../../host-agent/util/built-helpers';
import { freePort, portOf } from '../../../helpers/tcp-port';

const isRoot = process.getuid?.() === 0;
const relays: NetnsRelay[] = [];
const servers: net.Server[] = [];

afterEach(() => {
  for (const r of relays.splice(0)) r.close();
  for (const s of servers.splice(0)) s.close();
});

/** Everything `socket` sends until it ends. */
function readAll(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.once('end', () => resolve(text));
    socket.once('error', reject);
  });
}

const variants = [
  { name: 'dist/sandlot-relay', node: false, skip: !builtHelper('sandlot-relay') },
  { name: 'the Node relay', node: true, skip: false },
];

describe.skipIf(!isRoot)('network namespace relay', () => {
  for (const v of variants) {
    describe.skipIf(v.skip)(v.name, () => {
      const relay = () => {
        const r = new NetnsRelay(process.pid, { node: v.node });
        relays.push(r);
        return r;
      };

      it('opens a connection inside the namespace and hands the socket over; a refused one is named', async () => {
        const server = net.createServer((s) => s.end(`hello ${s.remoteAddress}\n`));
        servers.push(server);
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const port = portOf(server);
        const r = relay();
        const socket = await r.connect('127.0.0.1', port);
        socket.resume();
        expect(await readAll(socket)).toBe('hello 127.0.0.1\n');
        await expect(r.connect('127.0.0.1', await freePort())).rejects.toThrow(/ECONNREFUSED/);
      });

      it('listens inside the namespace and hands over every accepted connection, many at once', async () => {
        const r = relay();
        const port = await freePort();
        const got: string[] = [];
        await r.listen(port, (socket) => {
          socket.once('data', (d: Buffer) => {
            got.push(d.toString());
            socket.end(`echo ${d.toString()}`);
          });
          socket.resume();
        });
        const answers = await Promise.all(
          Array.from({ length: 12 }, (_, i) => {
            const c = net.connect(port, '127.0.0.1', () => c.write(`n${i}`));
            return readAll(c);
          }),
        );
        expect(answers.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `echo n${i}`).sort());
        expect(got).toHaveLength(12);
        // A port already taken is refused with its reason.
        const taken = net.createServer();
        servers.push(taken);
        const takenPort = await freePort();
        await new Promise<void>((res) => taken.listen(takenPort, '0.0.0.0', res));
        await expect(r.listen(takenPort, () => undefined)).rejects.toThrow(/EADDRINUSE/);
      });

      it('receives UDP datagrams inside the namespace and sends the answers back from the same port', async () => {
        const r = relay();
        const port = await freePort();
        await r.listenUdp(port, async (query) => Buffer.concat([Buffer.from('re:'), query]));
        const client = dgram.createSocket('udp4');
        try {
          const answer = new Promise<Buffer>((resolve) => client.once('message', (m) => resolve(m)));
          const payload = Buffer.from([0, 1, 2, 0xff, 0x80, 61, 61]); // binary, and bytes base64 pads with
          client.send(payload, port, '127.0.0.1');
          expect(await answer).toEqual(Buffer.concat([Buffer.from('re:'), payload]));
        } finally {
          client.close();
        }
      });
    });
  }
});
