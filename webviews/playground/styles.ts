// The panel's stylesheet, inlined by the host into a <style nonce> (CSP allows no other
// styles). Colors come only from VS Code theme variables.
export const PLAYGROUND_CSS = `
body { padding: 0 16px 24px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); line-height: 1.5; }
code { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); padding: 0 3px; border-radius: 3px; }
h1 { font-size: 1.4em; margin: 0; }
h2 { font-size: 1.1em; margin: 0; }
h3 { font-size: 0.95em; margin: 10px 0 4px; color: var(--vscode-descriptionForeground); font-weight: 600; }
.muted, .pg-meta { color: var(--vscode-descriptionForeground); }
.pg-header { padding: 12px 0 8px; border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); display: flex; flex-direction: column; gap: 6px; }
.pg-title, .machine-title { display: flex; gap: 8px; align-items: center; }
.pg-time { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.countdown { font-family: var(--vscode-editor-font-family); font-size: 1.2em; font-weight: 600; min-width: 5.5em; }
.countdown[data-level="low"] { color: var(--vscode-editorWarning-foreground); }
.countdown[data-level="expired"] { color: var(--vscode-errorForeground); }
.pg-actions, .machine-actions { display: flex; gap: 6px; flex-wrap: wrap; }
.pg-error, .pg-notice, .ports-error { color: var(--vscode-errorForeground); margin: 0; }
.pg-gone { color: var(--vscode-errorForeground); font-weight: 600; margin: 0; }
.badge { font-size: 0.85em; padding: 0 6px; border-radius: 8px; color: var(--vscode-badge-foreground); background: var(--vscode-badge-background); }
.badge.state-running { color: var(--vscode-testing-iconPassed); background: none; border: 1px solid var(--vscode-testing-iconPassed); }
.badge.state-failed, .badge.state-gone, .badge.state-lost { color: var(--vscode-errorForeground); background: none; border: 1px solid var(--vscode-errorForeground); }
.machines { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 420px), 1fr)); gap: 12px; margin-top: 12px; }
.machine-card { border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); border-radius: 6px; padding: 10px 12px; background: var(--vscode-editorWidget-background); display: flex; flex-direction: column; gap: 8px; }
.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
.kv-row { display: contents; }
.kv-key { color: var(--vscode-descriptionForeground); }
.kv-value { font-family: var(--vscode-editor-font-family); overflow-wrap: anywhere; }
.ports { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 4px; }
.port { display: flex; gap: 8px; align-items: center; }
.port button.action { padding: 0 8px; white-space: nowrap; }
.port-number { font-weight: 600; min-width: 3.5em; text-align: right; }
.port-addresses { font-size: 0.9em; flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.forward-local { font-family: var(--vscode-editor-font-family); color: var(--vscode-textLink-foreground); }
button.action { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 2px 10px; border-radius: 2px; cursor: pointer; font: inherit; }
button.action:hover { background: var(--vscode-button-hoverBackground); }
button.action-secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
button.action-secondary:hover { background: var(--vscode-button-secondaryHoverBackground); }
button.action-danger { color: var(--vscode-errorForeground); background: none; border: 1px solid var(--vscode-errorForeground); }
button.action:disabled { opacity: 0.5; cursor: default; }
.is-gone .pg-meta, .is-gone h1 { opacity: 0.7; }
`;
