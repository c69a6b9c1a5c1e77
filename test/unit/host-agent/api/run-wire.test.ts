import { describe, expect, it } from 'vitest';
import { dataFrame, RUN_STDOUT } from '../../../../host-agent/api/run-frames';
import { MAX_RUN_WIRE_MESSAGE, RunWireReader, wireMessage } from '../../../../host-agent/api/run-wire';

describe('run-wire: run messages on a raw connection', () => {
  it('reassembles messages however the connection splits or joins them', () => {
    const text = wireMessage(true, Buffer.from('{"type":"eof"}'));
    const data = wireMessage(false, dataFrame(RUN_STDOUT, Buffer.from('hello')));
    const empty = wireMessage(false, new Uint8Array(0));
    const all = Buffer.concat([text, data, empty]);
    const expected = [
      { text: true, bytes: Buffer.from('{"type":"eof"}') },
      { text: false, bytes: Buffer.from([RUN_STDOUT, ...Buffer.from('hello')]) },
      { text: false, bytes: Buffer.alloc(0) },
    ];
    expect(new RunWireReader().push(all)).toEqual(expected);
    // One byte at a time.
    const reader = new RunWireReader();
    const got = [...all].flatMap((b) => reader.push(Buffer.from([b])));
    expect(got).toEqual(expected);
  });

  it('refuses bytes that are not the run protocol', () => {
    expect(() => new RunWireReader().push(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(/not the run protocol/);
    const huge = Buffer.alloc(5);
    huge.writeUInt32BE(MAX_RUN_WIRE_MESSAGE + 2, 0);
    expect(() => new RunWireReader().push(huge)).toThrow(/bytes is not the run protocol/);
    expect(() => new RunWireReader().push(Buffer.from([0, 0, 0, 1, 7]))).toThrow(/kind 7/);
  });
});
