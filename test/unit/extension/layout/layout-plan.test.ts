import { describe, expect, it } from 'vitest';
import type { LayoutTab } from '../../../../host-agent/manifests/tabs';
import { planLayout } from '../../../../extension/layout/layout-plan';
import { kexpNote } from '../../../../extension/layout/kexp-note-text';

const term: LayoutTab = { id: 'terminal-dev', kind: 'terminal', name: 'dev', machine: 'dev' };
const ide: LayoutTab = { id: 'ide-dev', kind: 'ide', name: 'IDE (dev)', machine: 'dev' };
const web: LayoutTab = { id: 'web-page', kind: 'web-page', name: 'Docs', url: 'https://example.com' };

describe('layout plan', () => {
  it('opens everything now in a window with folders, or without an ide tab', () => {
    expect(planLayout([term, ide, web], true)).toEqual({ now: [term, ide, web], afterReload: [] });
    expect(planLayout([term, web], false)).toEqual({ now: [term, web], afterReload: [] });
  });

  it('in an empty window opens the ide tab first and the rest after the reload it causes', () => {
    expect(planLayout([term, ide, web], false)).toEqual({ now: [ide], afterReload: [term, web] });
  });

  it('says what Kubernetes tooling a machine has, or that it has none', () => {
    const ref = { playground: 'pg-1', machine: 'cp' };
    expect(kexpNote(ref, ['kubectl /usr/local/bin/kubectl'])).toContain('- `kubectl /usr/local/bin/kubectl`');
    expect(kexpNote(ref, [])).toContain('No Kubernetes tooling was found on cp (looked for kubectl, k9s, helm, k3s, kubeadm).');
  });
});
