import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partsProblem } from '../../../../../host-agent/drivers/microvm/playground-snapshot';

describe('what a microvm snapshot needs outside its directory', () => {
  let root: string;
  let snapshot: string;
  let image: string;
  let base: string;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-vmsnap-'));
    snapshot = path.join(root, 'sn-test');
    image = path.join(root, 'cache', 'images', 'linux-abc');
    fs.mkdirSync(image, { recursive: true });
    fs.writeFileSync(path.join(image, 'image.json'), JSON.stringify({ name: 'linux', hash: 'abc', kernelVersion: '6.1.0' }));
    for (const f of ['vmlinuz', 'initrd.img']) fs.writeFileSync(path.join(image, f), 'x');
    base = path.join(image, 'disk.qcow2');
    fs.writeFileSync(base, 'base disk');
    fs.mkdirSync(path.join(snapshot, 'machines', 'dev'), { recursive: true });
    const part = { format: 1, imageDir: image, drives: [], backing: [{ file: base, bytes: 9 }] };
    fs.writeFileSync(path.join(snapshot, 'machines', 'dev', 'microvm.json'), JSON.stringify(part));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is all there', () => {
    expect(partsProblem(snapshot, ['dev'])).toBeUndefined();
  });

  it('names a machine the snapshot does not hold', () => {
    expect(partsProblem(snapshot, ['dev', 'db'])).toBe('machine db has no part in the snapshot (machines/db/microvm.json is missing)');
  });

  it('names a backing file that is gone or changed', () => {
    fs.appendFileSync(base, '!');
    expect(partsProblem(snapshot, ['dev'])).toBe(`${base}, below the disk of machine dev, changed (10 bytes; 9 when the snapshot was made)`);
    fs.rmSync(base);
    expect(partsProblem(snapshot, ['dev'])).toBe(`${base}, below the disk of machine dev, is gone from the image cache`);
  });

  it('names an image directory (kernel and initrd) that is gone', () => {
    fs.rmSync(path.join(image, 'vmlinuz'));
    expect(partsProblem(snapshot, ['dev'])).toBe(`the VM image ${image} that machine dev was made from is gone from the image cache`);
  });

  it('names a part file that is not one', () => {
    fs.writeFileSync(path.join(snapshot, 'machines', 'dev', 'microvm.json'), JSON.stringify({ format: 2 }));
    expect(partsProblem(snapshot, ['dev'])).toMatch(/^machines\/dev\/microvm\.json: /);
  });
});
