// The tutorial's stylesheet, inlined by the host into a <style nonce> (CSP allows no
// other styles). Colors come only from VS Code theme variables.
export const TUTORIAL_CSS = `
body { padding: 0 12px 24px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); line-height: 1.5; }
a { color: var(--vscode-textLink-foreground); }
a:hover { color: var(--vscode-textLink-activeForeground); }
code { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); padding: 0 3px; border-radius: 3px; }
pre { background: var(--vscode-textCodeBlock-background); padding: 8px; overflow-x: auto; border-radius: 4px; margin: 0; }
pre code { padding: 0; background: none; }
blockquote { border-left: 3px solid var(--vscode-textBlockQuote-border); background: var(--vscode-textBlockQuote-background); margin: 8px 0; padding: 4px 10px; }
hr { border: none; border-top: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); padding: 2px 6px; }
.align-right { text-align: right; } .align-center { text-align: center; }
img { max-width: 100%; }
.tutorial-header { position: sticky; top: 0; background: var(--vscode-sideBar-background, var(--vscode-editor-background)); padding: 6px 0; border-bottom: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); z-index: 1; }
.tutorial-header h1 { font-size: 1.3em; margin: 4px 0; }
.tutorial-progress { display: flex; gap: 8px; align-items: center; }
.tutorial-progress progress { flex: 1; accent-color: var(--vscode-progressBar-background); }
.tutorial-state { color: var(--vscode-descriptionForeground); }
.state-completed { color: var(--vscode-testing-iconPassed); }
.state-failed, .tutorial-error, .task-error { color: var(--vscode-errorForeground); }
.code-block { margin: 8px 0; }
.code-actions { display: flex; gap: 6px; margin-top: 4px; }
.inline-action .action { margin-left: 4px; padding: 0 6px; }
button.action { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 2px 10px; border-radius: 2px; cursor: pointer; font: inherit; }
button.action:hover { background: var(--vscode-button-hoverBackground); }
button.action-copy { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
button.action-copy:hover { background: var(--vscode-button-secondaryHoverBackground); }
.task { border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); border-left-width: 4px; border-radius: 4px; padding: 6px 10px; margin: 10px 0; }
.task-completed { border-left-color: var(--vscode-testing-iconPassed); }
.task-failed { border-left-color: var(--vscode-testing-iconFailed); }
.task-running, .task-created, .task-blocked { border-left-color: var(--vscode-progressBar-background); }
.task-status { display: flex; gap: 6px; align-items: center; font-weight: 600; }
.task-completed .task-icon { color: var(--vscode-testing-iconPassed); }
.task-failed .task-icon { color: var(--vscode-testing-iconFailed); }
.spinner { display: inline-block; width: 10px; height: 10px; border: 2px solid var(--vscode-progressBar-background); border-right-color: transparent; border-radius: 50%; animation: spin 0.9s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
.task-hint { background: var(--vscode-inputValidation-infoBackground); border: 1px solid var(--vscode-inputValidation-infoBorder); padding: 4px 8px; margin-top: 6px; white-space: pre-wrap; }
.task-input { display: flex; gap: 6px; margin-top: 6px; align-items: center; }
.task-input input { flex: 1; color: var(--vscode-input-foreground); background: var(--vscode-input-background); border: 1px solid var(--vscode-input-border, transparent); padding: 3px 6px; font: inherit; }
.task-input-result.ok { color: var(--vscode-testing-iconPassed); }
.task-input-result.error { color: var(--vscode-errorForeground); }
.task-input-result.pending { color: var(--vscode-descriptionForeground); }
.box { border-radius: 4px; padding: 6px 10px; margin: 8px 0; border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); }
.box-hint { background: var(--vscode-inputValidation-infoBackground); }
.box-remark { background: var(--vscode-textBlockQuote-background); }
.box-title { font-weight: 600; }
.raw-html { color: var(--vscode-descriptionForeground); }
.image-missing { color: var(--vscode-descriptionForeground); font-style: italic; }
.reading-description { color: var(--vscode-descriptionForeground); margin: 4px 0; }
.path-units { padding-left: 1.4em; }
.path-unit { margin: 12px 0; }
.path-unit h2 { font-size: 1.1em; margin: 4px 0; }
.path-refs { list-style: none; padding: 0; }
.path-ref { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; padding: 4px 6px; border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border)); border-radius: 4px; margin: 4px 0; }
.ref-kind { text-transform: uppercase; font-size: 0.8em; color: var(--vscode-descriptionForeground); }
.ref-title { font-weight: bold; flex: 1; }
.ref-state { color: var(--vscode-descriptionForeground); }
.ref-completed .ref-state { color: var(--vscode-testing-iconPassed, var(--vscode-charts-green)); }
.ref-running .ref-state { color: var(--vscode-charts-blue); }
.ref-missing { border-color: var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); }
.ref-missing .ref-state, .ref-missing .ref-title { color: var(--vscode-errorForeground); }
.course-nav { display: flex; justify-content: space-between; gap: 8px; margin-top: 16px; }
.course-crumbs { color: var(--vscode-descriptionForeground); }
.link-button { background: none; border: none; padding: 0; color: var(--vscode-textLink-foreground); cursor: pointer; font: inherit; text-align: left; }
.link-button:hover { color: var(--vscode-textLink-activeForeground); text-decoration: underline; }
.lesson-badge { margin-left: 6px; font-size: 0.8em; color: var(--vscode-descriptionForeground); }
.catalog { list-style: none; padding: 0; }
.catalog-entry { margin: 6px 0; }
.catalog-entry .link-button { display: inline; }
.catalog-entry .ref-kind { margin-left: 6px; }
`;
