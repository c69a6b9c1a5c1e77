import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectiveManifest, effectiveManifestText, manifestYaml } from '../../../../host-agent/manifests/effective';
import { loadManifest, loadManifestText } from '../../../../host-agent/manifests/load';
import type { PlaygroundSpec } from '../../../../host-agent/drivers/protocol';
import { specFrom } from '../../../helpers/spec';
import { fixture, FIXTURES } from './fixtures';

const TEMPLATES = path.join(__dirname, '../../../../host-agent/templates');

/** A spec without the parts that name the manifest text itself. */
const comparable = (s: PlaygroundSpec): Omit<PlaygroundSpec, 'manifest'> => {
  const { manifest: _manifest, ...rest } = s;
  return rest;
};

const sources = [
  ...fs.readdirSync(FIXTURES).map((f) => ({ name: f, text: fixture(f) })),
  ...fs.readdirSync(TEMPLATES).map((f) => ({ name: `template ${f}`, text: fs.readFileSync(path.join(TEMPLATES, f), 'utf8') })),
  {
    name: 'derived from k3s',
    text: 'kind: playground\nname: mine\nbase: k3s\nplayground:\n  machines: [{ name: cplane-01 }, { name: node-01, noSSH: true }]\n',
  },
];

describe('effective manifest', () => {
  it.each(sources)('of $name loads again, is a fixed point, and yields the same spec', ({ text }) => {
    const m = loadManifestText(text, 'in.yaml');
    const effective = effectiveManifest(m);
    const again = loadManifest(manifestYaml(effective, 'Effective manifest'), 'effective.yaml');
    expect(again.warnings).toEqual([]);
    expect(effectiveManifest(again.manifest)).toEqual(effective);
    expect(comparable(specFrom(manifestYaml(effective)))).toEqual(comparable(specFrom(text)));
  });

  it('stores the same text for every playground of one manifest object, per driver and comment', () => {
    const m = loadManifestText('kind: playground\nname: bare\nplayground:\n  machines: [{ name: dev }]\n', 'x');
    const text = effectiveManifestText(m, 'sandbox', 'Effective manifest of x');
    expect(text).toBe(manifestYaml(effectiveManifest(m, { driver: 'sandbox' }), 'Effective manifest of x'));
    expect(effectiveManifestText(m, 'sandbox', 'Effective manifest of x')).toBe(text);
    expect(effectiveManifestText(m, 'docker', 'Effective manifest of x')).toBe(
      manifestYaml(effectiveManifest(m, { driver: 'docker' }), 'Effective manifest of x'),
    );
    // A manifest read again (a changed template) is another object, with its own text.
    const changed = loadManifestText('kind: playground\nname: bare\ntitle: Changed\nplayground:\n  machines: [{ name: dev }]\n', 'x');
    expect(effectiveManifestText(changed, 'sandbox', 'Effective manifest of x')).toContain('title: Changed');
  });

  it('writes every default out', () => {
    const e = effectiveManifest(loadManifestText('kind: playground\nname: bare\nplayground:\n  machines: [{ name: dev }]\n', 'x'), { driver: 'sandbox' });
    expect(e).toEqual({
      kind: 'playground',
      name: 'bare',
      base: 'flexbox',
      title: 'bare',
      playground: {
        driver: 'sandbox',
        networks: [{ name: 'local', subnet: '172.16.0.0/24', gateway: '172.16.0.1', private: false }],
        machines: [
          {
            name: 'dev',
            users: [{ name: 'root', default: true }],
            drives: [{ source: 'linux', mount: '/' }],
            network: { interfaces: [{ network: 'local', address: '172.16.0.2/24' }] },
            resources: { cpuCount: 1, ramSize: '1Gi' },
            noSSH: false,
          },
        ],
        tabs: [{ kind: 'terminal', machine: 'dev', id: 'terminal-dev', name: 'dev' }],
        accessControl: { canList: ['owner'], canRead: ['owner'], canStart: ['owner'] },
      },
    });
  });

  it('starts with the comment it is given', () => {
    expect(
      manifestYaml(effectiveManifest(loadManifestText(fixture('every-field.playground.yaml'), 'x')), 'line one\nline two')
        .split('\n')
        .slice(0, 3),
    ).toEqual(['# line one', '# line two', 'kind: playground']);
  });
});
