import { describe, expect, it } from 'vitest';
import { IXIMIUZ_IMAGES, knownImagesLine, resolveImageSource, sandlotImages } from '../../../../host-agent/manifests/image-names';
import { resolveSandlotImage } from '../../../../host-agent/manifests/drives';

describe('image names', () => {
  it('maps the iximiuz names used in its docs to Sandlot images, saying which are stand-ins', () => {
    for (const name of ['ubuntu-24-04', 'ubuntu-22-04', 'debian-stable', 'docker', 'k3s', 'zig']) {
      const r = resolveImageSource(name);
      expect(r.kind).toBe('image');
      if (r.kind === 'image') expect(sandlotImages()).toContain(r.image);
    }
    expect(IXIMIUZ_IMAGES['ubuntu-24-04']).toEqual({ image: 'linux', standIn: expect.stringMatching(/^Debian 12 stands in for Ubuntu/) as unknown });
    expect(IXIMIUZ_IMAGES.k3s.standIn).toBeUndefined();
  });

  it('takes Sandlot names as they are and refuses names it cannot build, in one line', () => {
    expect(resolveImageSource('linux')).toEqual({ kind: 'image', image: 'linux' });
    for (const name of ['alpine', 'golang', 'nodejs', 'python', 'fedora']) {
      expect(() => resolveImageSource(name)).toThrow(`unknown image "${name}": this host can build ${knownImagesLine()}, or give oci://registry/image:tag`);
    }
    expect(knownImagesLine()).toBe(
      'linux, docker, zig, k3s (iximiuz names: ubuntu-24-04 → linux, ubuntu-22-04 → linux, debian-stable → linux, ubuntu-docker → docker, ubuntu-k3s-bare → k3s)',
    );
  });

  it("maps iximiuz names in Sandlot's image field and leaves other recipe names to the driver", () => {
    expect(resolveSandlotImage('ubuntu-24-04')).toBe('linux');
    expect(resolveSandlotImage('probe')).toBe('probe');
  });
});
