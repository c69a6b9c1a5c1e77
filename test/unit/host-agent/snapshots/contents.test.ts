// The listing of a snapshot's tree: stable text for the same tree, every kind of change
// named by the first difference, and a fingerprint that moves with any write.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintTree, firstDifference, listTree } from '../../../../host-agent/snapshots/contents';

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-contents-'));
  fs.mkdirSync(path.join(root, 'machines', 'dev', 'etc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'machines', 'dev', 'etc', 'motd'), 'hello\n');
  fs.writeFileSync(path.join(root, 'machines', 'dev', 'file with space'), 'x');
  fs.symlinkSync('etc/motd', path.join(root, 'machines', 'dev', 'link'));
  fs.writeFileSync(path.join(root, 'snapshot.json'), '{}');
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('listTree', () => {
  it('lists every path with type, mode, owner, size and hash, leaving out the excluded top-level names', () => {
    const l = listTree(root, ['snapshot.json']);
    expect(l.files).toBe(2);
    expect(l.bytes).toBe(7);
    const lines = l.text.trim().split('\n');
    expect(lines.map((x) => x.split(' ')[0])).toEqual(['d', 'd', 'd', 'f', 'f', 'l']);
    expect(lines[3]).toMatch(/^f 0644 \d+:\d+ 6 [0-9a-f]{64} "machines\/dev\/etc\/motd"$/);
    expect(lines[4]).toMatch(/"machines\/dev\/file with space"$/);
    expect(lines[5]).toMatch(/^l \d{4} \d+:\d+ 0 "etc\/motd" "machines\/dev\/link"$/);
    expect(l.text).not.toContain('snapshot.json');
    expect(listTree(root, ['snapshot.json']).text).toBe(l.text);
  });

  it('names the first difference: content, size, mode, a missing and an added path', () => {
    const before = listTree(root).text;
    const motd = path.join(root, 'machines', 'dev', 'etc', 'motd');
    fs.writeFileSync(motd, 'jello\n');
    expect(firstDifference(before, listTree(root).text)).toBe('machines/dev/etc/motd changed content');
    fs.writeFileSync(motd, 'hello, world\n');
    expect(firstDifference(before, listTree(root).text)).toBe('machines/dev/etc/motd changed size (6 → 13 bytes)');
    fs.writeFileSync(motd, 'hello\n');
    fs.chmodSync(motd, 0o600);
    expect(firstDifference(before, listTree(root).text)).toBe('machines/dev/etc/motd changed mode (0644 → 0600)');
    fs.chmodSync(motd, 0o644);
    expect(firstDifference(before, listTree(root).text)).toBeUndefined();
    fs.rmSync(path.join(root, 'machines', 'dev', 'link'));
    expect(firstDifference(before, listTree(root).text)).toBe('machines/dev/link is missing');
    fs.symlinkSync('etc/motd', path.join(root, 'machines', 'dev', 'link'));
    fs.writeFileSync(path.join(root, 'machines', 'a "quoted" name'), '');
    expect(firstDifference(before, listTree(root).text)).toBe('machines/a "quoted" name was added');
  });
});

describe('fingerprintTree', () => {
  it('stays while nothing is written and moves with a write that keeps size and content', () => {
    const a = fingerprintTree(root, ['snapshot.json']);
    expect(fingerprintTree(root, ['snapshot.json'])).toBe(a);
    fs.writeFileSync(path.join(root, 'snapshot.json'), '{"changed":true}');
    expect(fingerprintTree(root, ['snapshot.json'])).toBe(a);
    fs.writeFileSync(path.join(root, 'machines', 'dev', 'etc', 'motd'), 'hello\n');
    expect(fingerprintTree(root, ['snapshot.json'])).not.toBe(a);
  });
});
