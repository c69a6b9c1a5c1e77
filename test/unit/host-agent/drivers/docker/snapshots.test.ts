import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  machineRecordPath,
  readMachineRecord,
  snapshotImageTag,
  snapshotVolumeName,
  writeMachineRecord,
} from '../../../../../host-agent/drivers/docker/snapshots';
import { effectiveManifest, manifestYaml } from '../../../../../host-agent/manifests/effective';
import { defaultNetworkMovable, planLayout } from '../../../../../host-agent/drivers/docker/network-layout';
import { specFrom } from '../../../../helpers/spec';

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('docker snapshot records', () => {
  it('names engine objects after the snapshot and the machine', () => {
    expect(snapshotImageTag('sn-abc123', 'dev')).toBe('sandlot-snapshot:sn-abc123-dev');
    expect(snapshotVolumeName('sn-abc123', 'dev', 0)).toBe('sandlot-sn-abc123-dev-vol0');
  });

  it('writes and reads a machine record; a damaged one is one clear line naming the file', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sn-test-'));
    const rec = { machine: 'dev', tag: 'sandlot-snapshot:x-dev', imageId: 'sha256:1', volumes: [{ target: '/data', volume: 'v' }], defaultNetworkMoved: true };
    writeMachineRecord(dir, rec);
    expect(readMachineRecord(dir, 'dev')).toEqual(rec);
    fs.writeFileSync(path.join(dir, machineRecordPath('dev')), JSON.stringify({ tag: 'x' }));
    expect(() => readMachineRecord(dir!, 'dev')).toThrow(`snapshot ${path.basename(dir)}: machines/dev/docker.json: expected tag, imageId and volumes`);
    expect(() => readMachineRecord(dir!, 'other')).toThrow(/machine other has no readable docker record/);
  });
});

describe("a fork's network layout", () => {
  it('moves its default network like the original did, though its effective manifest writes the subnet out', () => {
    const original = specFrom('kind: playground\nname: one\nplayground:\n  machines: [{ name: a }]\n');
    const fork = specFrom(manifestYaml(effectiveManifest(original.manifest, { driver: 'docker' }), 'effective'));
    expect(defaultNetworkMovable(fork)).toBe(false);
    const taken = [{ cidr: '172.16.0.0/24', owner: 'the first fork' }];
    expect(() => planLayout(fork, taken, '10.213.0.0/16')).toThrow(/172\.16\.0\.0\/24 overlaps the first fork/);
    expect(planLayout(fork, taken, '10.213.0.0/16', true).moved).toMatchObject({ from: '172.16.0.0/24' });
  });
});
