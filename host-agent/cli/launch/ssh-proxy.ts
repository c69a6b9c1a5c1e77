// dist/sandlot-ssh-proxy.js: OpenSSH's ProxyCommand for playground machines (see launch.ts
// and ../ssh-proxy-main.ts).
import { launch } from './launch';

launch('sandlot-ssh-proxy.mjs');
