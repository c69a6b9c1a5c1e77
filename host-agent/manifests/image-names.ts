// What a drive `source` names. iximiuz Labs manifests name its rootfs images
// (`ubuntu-24-04`, `docker`, …); Sandlot builds its own images offline from Debian
// packages (images/catalog.ts), so each iximiuz name maps to the Sandlot image that
// gives the same experience, or is refused with the list of what this host can build.
// Stand-ins are said out loud (docs/manifests.md, `sandlot templates`), never silent.
import { BUILTIN_RECIPES } from '../images/catalog';

export interface ImageAlias {
  /** The Sandlot image (recipe name) the machine boots. */
  image: string;
  /** Why the Sandlot image differs from what the name promises; absent when it is the same thing. */
  standIn?: string;
}

const DEBIAN_FOR_UBUNTU = 'Debian 12 stands in for Ubuntu: Sandlot builds every image offline with debootstrap from Debian packages';

/** iximiuz Labs image names (its docs and its `playgrounds/` rootfs folder) that a Sandlot image serves. */
export const IXIMIUZ_IMAGES: Readonly<Record<string, ImageAlias>> = {
  'ubuntu-24-04': { image: 'linux', standIn: DEBIAN_FOR_UBUNTU },
  'ubuntu-22-04': { image: 'linux', standIn: DEBIAN_FOR_UBUNTU },
  'debian-stable': { image: 'linux', standIn: 'Debian 12 (bookworm), the release Sandlot images are built from' },
  docker: { image: 'docker', standIn: "Debian 12 with Debian's docker.io engine, not Ubuntu with Docker CE" },
  'ubuntu-docker': { image: 'docker', standIn: "Debian 12 with Debian's docker.io engine, not Ubuntu with Docker CE" },
  k3s: { image: 'k3s' },
  'ubuntu-k3s-bare': { image: 'k3s', standIn: 'Debian 12 with k3s, not Ubuntu' },
  zig: { image: 'zig' },
};

/** Sandlot's own image names a manifest may use directly (`linux`, `docker`, …). */
export function sandlotImages(): string[] {
  return [...BUILTIN_RECIPES.values()].filter((r) => !r.internal).map((r) => r.name);
}

const OCI_REF = /^oci:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})?$/;

export type ResolvedSource = { kind: 'image'; image: string; alias?: ImageAlias } | { kind: 'oci'; ref: string };

/**
 * A drive source as the machine will boot it: a Sandlot image name (directly or through
 * an iximiuz alias) or an `oci://` reference kept as written. Throws with one line that
 * says what this host can build.
 */
export function resolveImageSource(source: string): ResolvedSource {
  if (source.startsWith('oci://')) {
    if (!OCI_REF.test(source)) throw new Error(`expected an OCI reference like "oci://ghcr.io/user/image:tag", got ${JSON.stringify(source)}`);
    const host = source.slice('oci://'.length).split('/')[0];
    // iximiuz Labs refuses Docker Hub (rate limits); a bare "name/image" has no registry host at all.
    if (!host.includes('.') && !host.includes(':') && host !== 'localhost') {
      throw new Error(`expected a registry host in the OCI reference (e.g. oci://ghcr.io/…), got ${JSON.stringify(source)}`);
    }
    if (host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io') {
      throw new Error(`Docker Hub images are not supported as drive sources (as on iximiuz Labs); use another registry, got ${JSON.stringify(source)}`);
    }
    return { kind: 'oci', ref: source };
  }
  if (sandlotImages().includes(source)) return { kind: 'image', image: source };
  const alias = IXIMIUZ_IMAGES[source];
  if (alias) return { kind: 'image', image: alias.image, alias };
  throw new Error(`unknown image ${JSON.stringify(source)}: this host can build ${knownImagesLine()}, or give oci://registry/image:tag`);
}

/** `linux, docker, … (iximiuz names: ubuntu-24-04 → linux, …)`. */
export function knownImagesLine(): string {
  const aliases = Object.entries(IXIMIUZ_IMAGES)
    .filter(([name, a]) => name !== a.image)
    .map(([name, a]) => `${name} → ${a.image}`);
  return `${sandlotImages().join(', ')} (iximiuz names: ${aliases.join(', ')})`;
}

/** For `sandlot templates`: the iximiuz image names manifests may use, and which are stand-ins. */
export function imageAliasLines(): string[] {
  return [
    'Image names from iximiuz Labs manifests (drives[].source):',
    ...Object.entries(IXIMIUZ_IMAGES).map(([name, a]) => `  ${name} → ${a.image}${a.standIn ? ` (stand-in: ${a.standIn})` : ''}`),
  ];
}
