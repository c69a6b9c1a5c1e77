// dist/sandlot-ssh-proxy.js: OpenSSH's ProxyCommand for playground machines. It runs the
// lean CommonJS entry dist/sandlot-ssh-proxy-lean.js (../ssh-proxy-main.ts; see launch.ts).
import { requireBeside } from './launch';

requireBeside('sandlot-ssh-proxy-lean.js');
