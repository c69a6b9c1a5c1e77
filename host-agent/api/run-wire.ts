// How run messages (run-link.ts) travel on a raw connection (route `tcpRun`): each is a
// 4-byte big-endian length, then a kind byte (RUN_WIRE_TEXT: JSON text; RUN_WIRE_DATA: a
// data frame as run-frames.ts makes it, stream byte first), then the message. The same
// messages as the WebSocket route's frames, with the framing a WebSocket would add.

export const RUN_WIRE_TEXT = 0;
export const RUN_WIRE_DATA = 1;
/** Larger messages are not the run protocol (output and stdin travel in chunks of tens of kB). */
export const MAX_RUN_WIRE_MESSAGE = 16 * 1024 * 1024;
const HEADER = 5;

/** One message as it goes on the wire. */
export function wireMessage(text: boolean, bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER + bytes.length);
  out.writeUInt32BE(bytes.length + 1, 0);
  out[4] = text ? RUN_WIRE_TEXT : RUN_WIRE_DATA;
  out.set(bytes, HEADER);
  return out;
}

/** Reassembles messages from the chunks a connection delivers; throws on bytes that are not the run protocol. */
export class RunWireReader {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): { text: boolean; bytes: Buffer }[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const out: { text: boolean; bytes: Buffer }[] = [];
    while (this.buffered.length >= HEADER) {
      const length = this.buffered.readUInt32BE(0);
      if (length < 1 || length > MAX_RUN_WIRE_MESSAGE + 1)
        throw new Error(`run: a message of ${length} bytes is not the run protocol (at most ${MAX_RUN_WIRE_MESSAGE})`);
      const kind = this.buffered[4];
      if (kind !== RUN_WIRE_TEXT && kind !== RUN_WIRE_DATA)
        throw new Error(`run: message kind ${kind} is not the run protocol (expected ${RUN_WIRE_TEXT} or ${RUN_WIRE_DATA})`);
      if (this.buffered.length < 4 + length) break;
      out.push({ text: kind === RUN_WIRE_TEXT, bytes: this.buffered.subarray(HEADER, 4 + length) });
      this.buffered = this.buffered.subarray(4 + length);
    }
    return out;
  }
}
