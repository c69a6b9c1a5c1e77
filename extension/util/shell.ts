// The extension's shell quoting is the agent's own (one quoting function everywhere).
export { shellQuote } from '../../host-agent/util/shell-quote';
