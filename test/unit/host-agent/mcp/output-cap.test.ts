import { describe, expect, it } from 'vitest';
import { OutputCap } from '../../../../host-agent/mcp/output-cap';

const feed = (cap: OutputCap, text: string, chunk: number) => {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += chunk) cap.push(bytes.subarray(i, i + chunk));
};

describe('OutputCap', () => {
  it('keeps output within the budget whole, in any chunking', () => {
    for (const chunk of [1, 3, 100]) {
      const cap = new OutputCap(10);
      feed(cap, 'abcdefghij', chunk);
      expect(cap.result()).toEqual({ text: 'abcdefghij', bytes: 10, truncated: false });
    }
  });

  it('keeps the head and the tail of longer output and says how much it left out', () => {
    for (const chunk of [1, 4, 7, 1000]) {
      const cap = new OutputCap(10);
      feed(cap, 'HEAD1-middle-middle-TAIL1', chunk);
      expect(cap.result()).toEqual({ text: 'HEAD1\n[… 15 bytes of output left out …]\nTAIL1', bytes: 25, truncated: true });
    }
  });

  it('gives an odd budget to the head, and nothing is lost at one byte over', () => {
    const cap = new OutputCap(5);
    feed(cap, 'abcdef', 2);
    expect(cap.result()).toEqual({ text: 'abc\n[… 1 bytes of output left out …]\nef', bytes: 6, truncated: true });
  });

  it('shows a character cut at the edge as U+FFFD, never as another character', () => {
    const cap = new OutputCap(5);
    feed(cap, 'éééééé', 1); // 12 bytes, two per character: the head's 3 bytes end inside one
    const { text } = cap.result();
    expect(text.startsWith('é\uFFFD\n')).toBe(true);
    expect(text.endsWith('\né')).toBe(true);
  });

  it('counts empty output as nothing', () => {
    expect(new OutputCap(8).result()).toEqual({ text: '', bytes: 0, truncated: false });
  });
});
