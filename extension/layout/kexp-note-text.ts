// The text of a `kexp` tab's note (see kexp-note.ts). Pure, for tests.
import type { MachineRef } from '../remote/uri';

export const KEXP_TOOLS = ['kubectl', 'k9s', 'helm', 'k3s', 'kubeadm'];

/** The note's text for the tools found (`name path` lines). Pure, for tests. */
export function kexpNote(ref: MachineRef, found: string[]): string {
  const lines = [
    `# Kubernetes Explorer (${ref.machine}, ${ref.playground})`,
    '',
    "This tab is iximiuz Labs' Kubernetes Explorer (kexp), a web app Sandlot does not have.",
    '',
  ];
  if (found.length === 0) {
    lines.push(`No Kubernetes tooling was found on ${ref.machine} (looked for ${KEXP_TOOLS.join(', ')}).`);
  } else {
    lines.push(`Kubernetes tooling on ${ref.machine}:`, '', ...found.map((f) => `- \`${f}\``), '');
    lines.push('In a terminal on the machine, for example:', '', '```sh', 'kubectl get nodes -o wide', 'kubectl get pods -A', '```');
  }
  return `${lines.join('\n')}\n`;
}
