// One run's messages (api/run-frames.ts), whatever carries them: a WebSocket (route `run`:
// a text frame per JSON message, a binary frame per data frame) or the raw upgraded HTTP
// connection (route `tcpRun`: each message framed by run-wire.ts). The agent's run session
// and the client's runOver speak through a RunLink, so the run protocol is written once and
// `sandlot run` needs no WebSocket library.
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import type { RawData } from 'ws';
import { errorMessage } from '../util/errors';
import { RunWireReader, wireMessage } from './run-wire';

/** A message of the run protocol: JSON text (a RunRequest, RunControl or RunEvent) or a data frame (dataFrame: stream byte, then bytes). */
export interface RunMessage {
  text: boolean;
  bytes: Buffer;
}

export interface RunLink {
  /** Sends one message; `sent` is called once it was handed to the operating system (or failed). */
  send(message: { text: string } | { data: Uint8Array }, sent?: () => void): void;
  onMessage(handle: (m: RunMessage) => void): void;
  /** The link ended (either side closed it, or it broke); `detail` says how, for error lines. */
  onClose(handle: (detail: string) => void): void;
  readonly open: boolean;
  /** Stops (resumes) reading the peer's messages: backpressure while the command's stdin drains. */
  pause(): void;
  resume(): void;
  /** Ends the link after what was sent. */
  close(): void;
}

/** A run over an open (or opening) WebSocket. */
export function webSocketRunLink(ws: WebSocket): RunLink {
  return {
    send: (m, sent) => ('text' in m ? ws.send(m.text, sent) : ws.send(m.data, sent)),
    onMessage: (handle) =>
      ws.on('message', (data: RawData, isBinary: boolean) => {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        handle({ text: !isBinary, bytes });
      }),
    onClose: (handle) => {
      ws.on('close', (code: number) => handle(`WebSocket close ${code}`));
      ws.on('error', (err: Error) => handle(err.message));
    },
    get open() {
      return ws.readyState === ws.OPEN;
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
    close: () => {
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
  };
}

/** A run over a connection after its `101 Switching Protocols` (`Upgrade: tcp`): messages framed by run-wire.ts. */
export function socketRunLink(socket: Duplex): RunLink {
  let ended = false;
  const closeHandlers: ((detail: string) => void)[] = [];
  const finish = (detail: string) => {
    if (ended) return;
    ended = true;
    for (const h of closeHandlers) h(detail);
  };
  // The peer ending its side ends the run's link (the protocol sends `eof` as a message, never as a half-close).
  socket.once('end', () => finish('the connection was closed'));
  socket.once('close', () => finish('the connection was closed'));
  socket.on('error', (err: Error) => finish(err.message));
  return {
    send: (m, sent) => {
      if (ended || socket.destroyed) return sent?.();
      socket.write('text' in m ? wireMessage(true, Buffer.from(m.text, 'utf8')) : wireMessage(false, m.data), () => sent?.());
    },
    onMessage: (handle) => {
      const reader = new RunWireReader();
      socket.on('data', (chunk: Buffer) => {
        let messages: RunMessage[];
        try {
          messages = reader.push(chunk);
        } catch (err) {
          // Not the run protocol: nothing more from this peer can be trusted.
          socket.destroy();
          return finish(errorMessage(err));
        }
        for (const m of messages) handle(m);
      });
    },
    onClose: (handle) => void closeHandlers.push(handle),
    get open() {
      return !ended && !socket.destroyed && socket.writable;
    },
    pause: () => void socket.pause(),
    resume: () => void socket.resume(),
    close: () => {
      if (!socket.destroyed) socket.end();
    },
  };
}
