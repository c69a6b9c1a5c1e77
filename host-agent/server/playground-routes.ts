// Handlers of the `playgrounds` routes of the table: the catalog, the playground
// lifecycle, keys, exec, one-shot runs, the event stream and tunnels. Each is a thin call into the
// manager; the request's shape was checked against the table before it gets here.
import type { Duplex } from 'node:stream';
import { createWebSocketStream, type WebSocket } from 'ws';
import { ApiProblem, CLOSE_PLAYGROUND_GONE, type BodyOf, type PlaygroundEvent, type PlaygroundRecord } from '../api/protocol';
import type { TemplateCatalog } from '../playgrounds/catalog';
import type { PlaygroundEvents } from '../playgrounds/events';
import type { PlaygroundManager } from '../playgrounds/manager';
import { socketRunLink, webSocketRunLink } from '../api/run-link';
import { errorMessage } from '../util/errors';
import { execInMachine } from './exec';
import { serveRun } from './run-session';
import type { Handlers } from './router';

/** `create` makes a playground of a create request (the snapshot service's: a saved template forks its snapshot). */
export function playgroundHandlers(
  manager: PlaygroundManager,
  catalog: TemplateCatalog,
  events: PlaygroundEvents,
  create: (body: BodyOf<'createPlayground'>) => Promise<PlaygroundRecord> = (body) => manager.create(body),
): Handlers<'playgrounds'> {
  return {
    listTemplates: () => {
      catalog.reload();
      return catalog.list();
    },
    listPlaygrounds: () => manager.list(),
    createPlayground: async ({ body }) => create(body),
    getPlayground: ({ params }) => manager.get(params.id),
    destroyPlayground: async ({ params }) => {
      await manager.destroy(params.id);
      return { id: params.id, state: 'destroyed' as const };
    },
    stopPlayground: ({ params }) => manager.stop(params.id),
    startPlayground: ({ params }) => manager.start(params.id),
    restartPlayground: ({ params }) => manager.restart(params.id),
    extendPlayground: ({ params, body }) => manager.extend(params.id, body.minutes),
    playgroundManifest: ({ params }) => manager.manifestView(params.id),
    sshKey: ({ params }) => {
      const key = manager.userKey(params.id);
      return { privateKey: key.privateKey, publicKey: key.publicKey, knownHosts: manager.knownHosts(params.id) };
    },
    memory: ({ params }) => manager.memoryUsage(params.id),
    exec: ({ params, body }, res) => execInMachine(manager, params.id, params.machine, body, res),
    run: () => (ws: WebSocket) => serveRun(manager, webSocketRunLink(ws)),
    tcpRun: () => (socket: Duplex) => serveRun(manager, socketRunLink(socket)),
    events: ({ params: { id } }) => {
      manager.get(id);
      return (ws: WebSocket) => {
        const send = (e: PlaygroundEvent) => {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(e));
        };
        send({ type: 'snapshot', at: new Date().toISOString(), playground: manager.get(id) });
        // Steps a late subscriber missed (the CLI subscribes right after POST).
        for (const past of events.recent(id)) if (past.type === 'step') send(past);
        const unsubscribe = events.subscribe(id, (e) => {
          send(e);
          if (e.type === 'playground' && e.state === 'destroyed') ws.close(CLOSE_PLAYGROUND_GONE, 'playground destroyed');
        });
        ws.on('close', unsubscribe);
        ws.on('error', unsubscribe);
      };
    },
    tunnel: async ({ params, query }) => {
      const target = await tunnelTarget(manager, params.id, params.machine, query.port);
      return (ws: WebSocket) => joinStreams(createWebSocketStream(ws), target, () => ws.close());
    },
    tcpTunnel: async ({ params, query }) => {
      const target = await tunnelTarget(manager, params.id, params.machine, query.port);
      return (socket: Duplex) => {
        joinStreams(socket, target, () => socket.end());
        // The HTTP server keeps connections half-open; a tunnel whose client stopped sending
        // is over (as a WebSocket tunnel's close is): the port gets its end, the client ours.
        socket.once('end', () => socket.end());
      };
    },
  };
}

/** The machine's port a tunnel route opens (refusals answer the upgrade request as HTTP errors). */
function tunnelTarget(manager: PlaygroundManager, id: string, machine: string, port = 22): Promise<Duplex> {
  return manager.connect(id, machine, port, true).catch((err: unknown) => {
    // The driver's own errors (a closed port inside the machine) are about reaching the port.
    throw err instanceof ApiProblem ? err : new ApiProblem('connect_failed', errorMessage(err));
  });
}

/** Pipes a client's stream and a machine's port into each other; an error on either ends both, the port's close ends the client's side. */
function joinStreams(client: Duplex, target: Duplex, endClient: () => void): void {
  client.pipe(target).pipe(client);
  const end = () => {
    client.destroy();
    target.destroy();
  };
  client.on('error', end);
  target.on('error', end);
  target.on('close', endClient);
}
