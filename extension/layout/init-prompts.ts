// Asks for a playground's init conditions before it starts, as iximiuz Labs' start dialog
// does: a pick list for `options` (the default first), an input box for free text checked
// with the same rules the agent applies (manifests/init.ts valueProblem). Escape cancels
// the start.
import * as vscode from 'vscode';
import { valueProblem, type InitValues } from '../../host-agent/manifests/init';
import type { InitCondition } from '../../host-agent/manifests/schema';

const EMPTY = '(empty)';

export async function askInitValues(conditions: readonly InitCondition[], title: string): Promise<InitValues | undefined> {
  const values: InitValues = {};
  for (const [i, c] of conditions.entries()) {
    const step = { title: `${title}: ${c.key} (${i + 1}/${conditions.length})` };
    if (c.options) {
      const ordered = c.default && c.options.includes(c.default) ? [c.default, ...c.options.filter((o) => o !== c.default)] : [...c.options];
      const items = [
        ...ordered.map((o) => ({ label: o, description: o === c.default ? 'default' : undefined })),
        ...(c.nullable ? [{ label: EMPTY, description: undefined }] : []),
      ];
      const picked = await vscode.window.showQuickPick(items, { ...step, placeHolder: c.placeholder ?? `Pick ${c.key}`, ignoreFocusOut: true });
      if (!picked) return undefined;
      values[c.key] = picked.label === EMPTY ? '' : picked.label;
    } else {
      const answer = await vscode.window.showInputBox({
        ...step,
        prompt: c.validationRegex ? `${c.key} (must match ${c.validationRegex})` : c.key,
        value: c.default ?? '',
        placeHolder: c.placeholder,
        ignoreFocusOut: true,
        validateInput: (v) => valueProblem(c, v),
      });
      if (answer === undefined) return undefined;
      values[c.key] = answer;
    }
  }
  return values;
}
