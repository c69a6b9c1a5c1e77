// A machine terminal's title; also how a terminal is found again by its machine. Kept
// apart from the Pseudoterminal so that pure code can use it without the vscode module.
import type { MachineRef } from './uri';

export function terminalName(ref: MachineRef): string {
  return `${ref.machine} (${ref.playground})`;
}
