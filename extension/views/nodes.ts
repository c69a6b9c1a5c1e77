// What the Playgrounds and Catalog trees hold; commands take these as arguments when
// run from a tree, and ask with a quick pick when run from the palette.
import type { MachineRecord, PlaygroundRecord, SnapshotRecord, TemplateSummary } from '../../host-agent/api/protocol';

export interface PlaygroundNode {
  kind: 'playground';
  record: PlaygroundRecord;
}
export interface MachineNode {
  kind: 'machine';
  record: PlaygroundRecord;
  machine: MachineRecord;
}
export interface TemplateNode {
  kind: 'template';
  template: TemplateSummary;
}
/** A snapshot: under its playground, or at the top when that playground is gone. */
export interface SnapshotNode {
  kind: 'snapshot';
  snapshot: SnapshotRecord;
}
export type TreeNode = PlaygroundNode | MachineNode | TemplateNode | SnapshotNode;

export function isNode(x: unknown): x is TreeNode {
  return typeof x === 'object' && x !== null && ['playground', 'machine', 'template', 'snapshot'].includes((x as { kind?: string }).kind ?? '');
}
