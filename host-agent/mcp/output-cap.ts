// A command's output kept within a byte budget for a model's context: the head and the
// tail (a build log's error is at its end, what the command was doing at its start),
// with a line in the middle saying how much was left out. Pure: unit-tested.

export interface CappedText {
  text: string;
  /** Bytes the command wrote in all. */
  bytes: number;
  truncated: boolean;
}

export class OutputCap {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  /** The newest bytes past the head, at most `tailMax` of them. */
  private tail = Buffer.alloc(0);
  private total = 0;
  private readonly headMax: number;
  private readonly tailMax: number;

  constructor(readonly maxBytes: number) {
    this.headMax = Math.ceil(maxBytes / 2);
    this.tailMax = maxBytes - this.headMax;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.headMax - this.headBytes;
    if (room > 0) {
      const part = chunk.subarray(0, room);
      this.head.push(part);
      this.headBytes += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length === 0 || this.tailMax === 0) return;
    const joined = Buffer.concat([this.tail, chunk]);
    this.tail = joined.subarray(Math.max(0, joined.length - this.tailMax));
  }

  result(): CappedText {
    const head = Buffer.concat(this.head);
    const truncated = this.total > this.maxBytes;
    if (!truncated) return { text: Buffer.concat([head, this.tail]).toString('utf8'), bytes: this.total, truncated };
    const omitted = this.total - head.length - this.tail.length;
    // A cut may fall inside a UTF-8 character: decoding shows it as U+FFFD, never as a wrong character.
    const text = `${head.toString('utf8')}\n[… ${omitted} bytes of output left out …]\n${this.tail.toString('utf8')}`;
    return { text, bytes: this.total, truncated };
  }
}
