import { describe, expect, it } from 'vitest';
import { checkManifest } from '../../../../host-agent/manifests/checks';
import { loadManifestText, ManifestError } from '../../../../host-agent/manifests/load';
import { specFrom } from '../../../helpers/spec';

const withMachine = (machine: string, more = ''): string => `kind: playground\nname: d\nplayground:\n  machines:\n    - ${machine}\n${more}`;

const problems = (text: string): string[] => {
  try {
    loadManifestText(text, 'd.yaml');
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    return err.message.split('\n');
  }
  throw new Error('expected the manifest to be refused');
};

const GiB = 1024 ** 3;

describe('drives', () => {
  it("gives a machine without drives one root drive from Sandlot's image (default linux)", () => {
    expect(specFrom(withMachine('{ name: a }')).machines[0]).toMatchObject({ image: 'linux', drives: [{ source: 'linux', mount: '/', readOnly: false }] });
    expect(specFrom(withMachine('{ name: a, image: docker }')).machines[0]).toMatchObject({
      image: 'docker',
      drives: [{ source: 'docker', mount: '/', readOnly: false }],
    });
  });

  it('keeps drives in list order: root from a mapped image, formatted mounts (ext4 unless told), raw and read-only ones', () => {
    const m = specFrom(
      withMachine(
        '{ name: s, drives: [{ mount: /mnt/data, size: 5GiB }, { source: ubuntu-24-04, mount: /, size: 10GiB }, { mount: /mnt/scratch/, size: 5Gi, filesystem: xfs }, { size: 20GiB }, { filesystem: btrfs, readOnly: true }] }',
      ),
    ).machines[0];
    expect(m.image).toBe('linux');
    expect(m.drives).toEqual([
      { mount: '/mnt/data', sizeBytes: 5 * GiB, filesystem: 'ext4', readOnly: false },
      { source: 'linux', mount: '/', sizeBytes: 10 * GiB, readOnly: false },
      { mount: '/mnt/scratch', sizeBytes: 5 * GiB, filesystem: 'xfs', readOnly: false },
      { sizeBytes: 20 * GiB, readOnly: false },
      { filesystem: 'btrfs', readOnly: true },
    ]);
  });

  it('keeps oci:// root sources as written', () => {
    const m = specFrom(withMachine('{ name: a, drives: [{ source: "oci://ghcr.io/someone/lab-image:v1", mount: / }] }')).machines[0];
    expect(m.image).toBe('oci://ghcr.io/someone/lab-image:v1');
    expect(m.drives[0].source).toBe('oci://ghcr.io/someone/lab-image:v1');
  });

  it('lets the iximiuz drive source win over image, with a warning', () => {
    const text = withMachine('{ name: a, image: zig, drives: [{ source: docker, mount: / }] }');
    expect(specFrom(text).machines[0].image).toBe('docker');
    expect(checkManifest(loadManifestText(text, 'd.yaml')).warnings).toEqual([
      'playground.machines[0].image: "zig" is ignored: drives[0].source "docker" (the iximiuz form) wins',
    ]);
  });

  it('warns about file systems it ignores (root and sourced drives keep their image)', () => {
    const text = withMachine('{ name: a, drives: [{ source: linux, mount: /, filesystem: ext4 }, { source: linux, mount: /data, filesystem: xfs }] }');
    expect(checkManifest(loadManifestText(text, 'd.yaml')).warnings).toEqual([
      "playground.machines[0].drives[0].filesystem: ignored: the root drive's file system comes from its image",
      "playground.machines[0].drives[1].filesystem: ignored: a drive with a source keeps its image's file system",
    ]);
  });

  it('refuses no root, two roots, a root without source, and one mount point twice', () => {
    expect(problems(withMachine('{ name: a, drives: [{ source: linux, mount: /data }] }'))).toEqual([
      'd.yaml: playground.machines[0].drives: expected exactly one drive with mount: / (the root drive), got none',
    ]);
    expect(problems(withMachine('{ name: a, drives: [{ source: linux, mount: / }, { source: docker, mount: / }] }'))).toEqual([
      'd.yaml: playground.machines[0].drives[1].mount: / is already the mount point of playground.machines[0].drives[0]',
      'd.yaml: playground.machines[0].drives: expected exactly one drive with mount: /, got 2 (drives[0], drives[1])',
    ]);
    expect(problems(withMachine('{ name: a, drives: [{ mount: /, size: 2GiB }] }'))).toEqual([
      'd.yaml: playground.machines[0].drives[0].source: the root drive (mount: /) needs a source: an image name or oci://registry/image:tag',
    ]);
    // Shape errors come first and stop the manifest before cross-field checks.
    expect(problems(withMachine('{ name: a, drives: [{ source: linux, mount: / }, { mount: /x/../y }, { mount: data }] }'))).toEqual([
      'd.yaml: playground.machines[0].drives[2].mount: expected an absolute mount point like "/" or "/mnt/data"',
    ]);
    expect(problems(withMachine('{ name: a, drives: [{ source: linux, mount: / }, { mount: /x/../y }] }'))).toEqual([
      'd.yaml: playground.machines[0].drives[1].mount: expected an absolute path without "." or ".." parts, got "/x/../y"',
    ]);
  });

  it('refuses sizes outside 1GiB–100GiB, more than 240GiB per playground, unknown file systems and too many drives', () => {
    expect(problems(withMachine('{ name: a, drives: [{ source: linux, mount: /, size: 512MiB }, { size: 101GiB }] }'))).toEqual([
      'd.yaml: playground.machines[0].drives[0].size: expected 1GiB to 100GiB, got "512MiB"',
      'd.yaml: playground.machines[0].drives[1].size: expected 1GiB to 100GiB, got "101GiB"',
    ]);
    expect(
      problems(
        withMachine(
          '{ name: a, drives: [{ source: linux, mount: /, size: 100GiB }, { size: 100GiB }] }',
          '    - { name: b, drives: [{ source: linux, mount: /, size: 50GiB }] }\n',
        ),
      ),
    ).toEqual(['d.yaml: playground.machines: drives add up to 250GiB; expected at most 240GiB per playground']);
    expect(problems(withMachine('{ name: a, drives: [{ source: linux, mount: /, size: lots }] }'))).toEqual([
      'd.yaml: playground.machines[0].drives[0].size: expected a size like "10GiB", got "lots"',
    ]);
    expect(problems(withMachine('{ name: a, drives: [{ source: linux, mount: / }, { filesystem: zfs }] }'))).toEqual([
      'd.yaml: playground.machines[0].drives[1].filesystem: expected one of ext4, ext2, ext3, xfs, btrfs, got "zfs"',
    ]);
    const many = Array.from({ length: 25 }, (_, i) => (i === 0 ? '{ source: linux, mount: / }' : '{ size: 1GiB }')).join(', ');
    expect(problems(withMachine(`{ name: a, drives: [${many}] }`))).toEqual(['d.yaml: playground.machines[0].drives: expected at most 24 drives']);
    expect(problems(withMachine('{ name: a, drives: [] }'))).toEqual(['d.yaml: playground.machines[0].drives: expected at least the root drive (mount: /)']);
  });

  it('refuses unknown image names and malformed or Docker Hub OCI references, listing what this host builds', () => {
    const [line] = problems(withMachine('{ name: a, drives: [{ source: alpine, mount: / }] }'));
    expect(line).toMatch(
      /^d\.yaml: playground\.machines\[0\]\.drives\[0\]\.source: unknown image "alpine": this host can build linux, docker, zig, k3s \(iximiuz names: ubuntu-24-04 → linux, .*\), or give oci:\/\/registry\/image:tag$/,
    );
    expect(problems(withMachine('{ name: a, drives: [{ source: "oci://ghcr.io/UPPER/x", mount: / }] }'))).toEqual([
      'd.yaml: playground.machines[0].drives[0].source: expected an OCI reference like "oci://ghcr.io/user/image:tag", got "oci://ghcr.io/UPPER/x"',
    ]);
    expect(problems(withMachine('{ name: a, drives: [{ source: "oci://library/ubuntu:24.04", mount: / }] }'))).toEqual([
      'd.yaml: playground.machines[0].drives[0].source: expected a registry host in the OCI reference (e.g. oci://ghcr.io/…), got "oci://library/ubuntu:24.04"',
    ]);
    expect(problems(withMachine('{ name: a, drives: [{ source: "oci://docker.io/library/ubuntu:24.04", mount: / }] }'))).toEqual([
      'd.yaml: playground.machines[0].drives[0].source: Docker Hub images are not supported as drive sources (as on iximiuz Labs); use another registry, got "oci://docker.io/library/ubuntu:24.04"',
    ]);
  });
});
