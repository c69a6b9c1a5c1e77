// Which drivers an agent can run, by name. The agent enables its default driver and
// any a template asks for that can be constructed here; each checks the host in its
// own preflight, so an unusable driver fails with its own clear message.
import type { DriverName } from '../api/protocol';
import { DockerDriver } from './docker/driver';
import { MicrovmDriver } from './microvm/driver';
import type { Driver } from './protocol';
import { SandboxDriver } from './sandbox/driver';

export const DRIVER_NAMES: DriverName[] = ['sandbox', 'docker', 'microvm'];

export function isDriverName(name: string): name is DriverName {
  return DRIVER_NAMES.some((d) => d === name);
}

export interface DriverEnv {
  home: string;
  playgroundsDir: string;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export function createDriver(name: DriverName, env: DriverEnv): Driver | undefined {
  switch (name) {
    case 'sandbox':
      return new SandboxDriver({ playgroundsDir: env.playgroundsDir, log: env.log });
    case 'docker':
      return new DockerDriver({ stateHome: env.home, log: env.log });
    case 'microvm':
      return new MicrovmDriver({ stateHome: env.home, log: env.log });
  }
}
