// dist/sandlot-ssh-proxy-lean.js: `ProxyCommand node …/sandlot-ssh-proxy.js <host-alias>` runs it.
// The agent is found as every CLI command finds it ($SANDLOT_HOME, SANDLOT_AGENT_URL and
// SANDLOT_TOKEN); a failure is one line on stderr, which OpenSSH shows, and exit code 1.
import { AgentClient } from '../api/client';
import { discoverAgent } from '../api/discovery';
import { errorMessage } from '../util/errors';
import { proxyStdio, proxyTarget } from './ssh-proxy';

function fail(message: string): never {
  process.stderr.write(`sandlot: ${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2).filter((a) => a !== '--stdio');
const target = proxyTarget(args.length === 1 ? args[0] : args.join(' '));
if (typeof target === 'string') fail(target);
let client: AgentClient;
try {
  client = new AgentClient(discoverAgent());
} catch (err) {
  fail(errorMessage(err));
}
proxyStdio(client, target).then(
  () => process.exit(0),
  (err: unknown) => fail(errorMessage(err)),
);
