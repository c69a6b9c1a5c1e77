// The one protocol between the playground panel's webview and the extension host. Both
// sides import it and talk through webviews/shared/channel.ts: notices go through handler
// maps that fail the build when a kind has no handler; each button is a typed request the
// host answers once (done, or the error that stopped it). The panel shows one playground:
// its record (machines, time left) from the agent, listening ports read inside each
// machine, and local forwards.
import type { PlaygroundRecord } from '../../host-agent/api/protocol';
import type { ListeningPort } from '../../host-agent/machines/proc-net-tcp';

export type { ListeningPort };

/** What one machine's probe found (read about every 2.5 s while the panel is visible). */
export interface MachineProbe {
  ports: ListeningPort[];
  /** Addresses of the machine's interfaces, loopback left out. */
  addresses: string[];
  /** Resident memory of the machine's processes, bytes (when the driver reports it). */
  memoryBytes?: number;
  /** Why the probe failed (SSH down, machine stopped); `ports` is then empty. */
  error?: string;
}

/** A machine port forwarded to this computer (by the existing Forward Port code). */
export interface Forward {
  machine: string;
  port: number;
  /** The loopback port on the extension's side. */
  local: number;
  /** What a browser opens (env.asExternalUri of the local address). */
  url: string;
}

/** Lifecycle actions the panel's buttons ask for (snapshot, fork and save as template included). */
export type LifecycleAction = 'stop' | 'start' | 'destroy' | 'snapshot' | 'fork' | 'saveAsTemplate';
/** Machine actions that run the existing commands with the machine's ref. */
export type MachineAction = 'openTerminal' | 'openFolder' | 'copySshCommand';

export interface PlaygroundPanelProtocol {
  toWebview:
    /** The playground record, whole: on `ready`, on visibility and whenever it changes. */
    | { kind: 'show'; playground: PlaygroundRecord }
    /** The playground no longer exists (destroyed, expired) or cannot be read. */
    | { kind: 'gone'; playground: string; reason: string }
    | { kind: 'probe'; machine: string; probe: MachineProbe }
    | { kind: 'forwards'; forwards: Forward[] };
  toHost: { kind: 'ready' };
  /** The panel's buttons. */
  requests: {
    extend: { params: { minutes: number }; result: void };
    lifecycle: { params: { action: LifecycleAction }; result: void };
    machine: { params: { action: MachineAction; machine: string }; result: void };
    /** Forwards a machine port (reusing an existing forward) and, with `open`, opens it in the browser. */
    forward: { params: { machine: string; port: number; open: boolean }; result: void };
  };
}

/** Host → webview notices. */
export type ToWebview = PlaygroundPanelProtocol['toWebview'];
