// What the agent API returns: playground, machine, task and content records, events and
// exec chunks. Plain types (no code): the agent, CLI, extension and webviews share them.
import type { InitCondition } from '../manifests/schema';
import type { LayoutTab } from '../manifests/tabs';

export type DriverName = 'sandbox' | 'docker' | 'microvm';

export type PlaygroundState =
  | 'provisioning'
  | 'running'
  | 'stopping'
  | 'stopped'
  | 'starting'
  | 'failed'
  | 'destroying'
  | 'destroyed'
  /** The agent restarted and could not find the machines running; files are kept. */
  | 'lost';

export type MachineState = 'creating' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed' | 'lost';

export interface MachineRecord {
  name: string;
  state: MachineState;
  /** Users that exist inside the machine; `defaultUser` is the one SSH uses by default. */
  users: string[];
  defaultUser: string;
  /** Home directory of the default user, e.g. `/root` or `/home/laborant`. */
  home: string;
  noSSH: boolean;
  /** Address of the machine inside its playground network (informational). */
  address?: string;
  /** The machine's SSH host public key, OpenSSH format (`ssh-ed25519 AAAA…`). */
  hostKey: string;
  resources: { cpuCount: number; ramSize: string };
  error?: string;
}

export interface PlaygroundRecord {
  id: string;
  /** Template name it was made from, or `custom` for an inline manifest. */
  template: string;
  title: string;
  driver: DriverName;
  state: PlaygroundState;
  createdAt: string;
  /** ISO time after which the agent stops, then destroys the playground. */
  deadline: string;
  machines: MachineRecord[];
  /** The playground's SSH user public key (the private half: `GET …/ssh-key`). */
  userPublicKey: string;
  error?: string;
  /** What the client that started it asked to keep on it (`sandlot mcp`: `mcp.session`, `mcp.client`). */
  labels?: Record<string, string>;
  /** Set by the content/task engine when the playground runs a tutorial or challenge. */
  content?: ContentRecord;
  /** Task states of the content, by task name (set together with `content`). */
  tasks?: Record<string, TaskRecord>;
  /** A fork: the snapshot its machines started from (the snapshot cannot be deleted while this playground exists). */
  forkOf?: string;
}

/**
 * Why a snapshot was made: by the user (`sandlot snapshot`), for a fork of a playground,
 * for a template saved from a playground, or before an expired playground was destroyed.
 * Those made for a fork or a template are removed with their last user.
 */
export type SnapshotPurpose = 'user' | 'fork' | 'template' | 'expiry';

/** `GET /v1/snapshots`: a frozen copy of a playground's machines. */
export interface SnapshotRecord {
  /** `sn-…`. */
  id: string;
  name?: string;
  /** The playground it was taken of (which may be gone by now). */
  playground: string;
  template: string;
  title: string;
  driver: DriverName;
  machines: { name: string; image: string; bytes: number }[];
  createdAt: string;
  purpose: SnapshotPurpose;
  /** Files the driver wrote, and their apparent size in bytes. */
  files: number;
  bytes: number;
  /** Disk blocks it takes (what the driver reported). */
  diskBytes: number;
  /**
   * `creating` while the driver copies; `partial` when its creation was interrupted (no
   * snapshot.json); `damaged` when its metadata does not match its checksum. File contents
   * are checked at every fork, not in this list.
   */
  state: 'ready' | 'creating' | 'partial' | 'damaged';
  problem?: string;
  /** Playgrounds forked from it and templates saved from it: while any exist it cannot be deleted. */
  usedBy: { playgrounds: string[]; templates: string[] };
}

/** `initializing` until every init task passed; `completed` when every visible task did. */
export type ContentState = 'initializing' | 'ready' | 'completed' | 'failed' | 'stopped';

export interface ContentRecord {
  name: string;
  kind: string;
  title: string;
  /** Where the content was read from (a directory, or `builtin:<name>`). */
  source?: string;
  state?: ContentState;
  error?: string;
  /** How many times the content was reloaded in place (`sandlot content start --watch`, a save in VS Code). */
  revision?: number;
}

export type TaskStatus = 'created' | 'blocked' | 'running' | 'failed' | 'completed';

export interface TaskRecord {
  name: string;
  kind: 'init' | 'regular' | 'helper';
  machine: string;
  user: string;
  status: TaskStatus;
  /** Helper tasks loop in the background and are not shown to the learner. */
  hidden?: boolean;
  /** Waits for `POST …/tasks/:task/input` before it runs. */
  input?: boolean;
  /** Tasks named in `needs` that have not completed yet (status `blocked`). */
  waitingFor?: string[];
  exitCode?: number | null;
  /** Tails of the last run's output. */
  stdout?: string;
  stderr?: string;
  /** Output of the task's `hintcheck` script after the last failed run. */
  hint?: string;
  runs: number;
  /** Wall time of the last run. */
  durationMs?: number;
  startedAt?: string;
  completedAt?: string;
  error?: string;
}

/** `GET /v1/content`: the built-in tutorials and challenges. */
export interface ContentSummary {
  name: string;
  kind: string;
  title: string;
  description: string;
  template: string;
  source: string;
}

export interface TemplateSummary {
  name: string;
  title: string;
  description: string;
  driver?: DriverName;
  machines: { name: string }[];
  source: 'builtin' | 'user';
  /** A template saved from a run: `start` forks this snapshot. */
  snapshot?: string;
  /** Values to ask for before a start (`inputs` of the create request). */
  initConditions?: InitCondition[];
}

/** `GET …/manifest`: a playground's effective manifest and its layout. */
export interface PlaygroundManifestView {
  /** YAML, every default written out; `sandlot start -f` accepts it again. */
  text: string;
  /** The manifest's `tabs` with defaults (a terminal per SSH machine without any). */
  tabs: LayoutTab[];
}

export interface SshKeyResponse {
  /** OpenSSH-format ed25519 private key of the playground's user key pair. */
  privateKey: string;
  publicKey: string;
  /** `known_hosts` lines keyed by host alias `sandlot--<pg>--<machine>`. */
  knownHosts: string[];
}

/**
 * `POST …/exec` answers with newline-delimited JSON (`application/x-ndjson`), one of these
 * per line. Output is bytes, not text (a chunk may end inside a UTF-8 character), so
 * `data` is the chunk's bytes in base64; decode with `Buffer.from(data, 'base64')`.
 */
export type ExecChunk =
  | { type: 'stdout'; data: string }
  | { type: 'stderr'; data: string }
  | { type: 'exit'; code: number | null; signal?: string }
  | { type: 'error'; message: string };

export interface AgentInfo {
  version: string;
  driver: DriverName;
  drivers: DriverName[];
  pid: number;
  /** What the default driver isolates on this host (shown by `sandlot status`). */
  isolation: string;
  /** `starting` while the agent probes its driver and re-adopts playgrounds: other requests wait until `ready`. */
  state: 'starting' | 'ready';
  /** How late the agent's event loop ran (every SSH session is served from it): the last minute, and since the start. */
  eventLoopLag?: { recent: EventLoopLagFigures; sinceStart: EventLoopLagFigures };
  /** The warm pool (`sandlot agent --warm`), when one is configured. */
  warmPool?: WarmPoolInfo;
}

/** Playgrounds the agent keeps started ahead of demand; members are not users' playgrounds (not listed). */
export interface WarmPoolInfo {
  /** What the pool may hold, in bytes of its members' machines' ramSize. */
  budgetBytes: number;
  /** What its members (ready and being made) hold now, counted the same way. */
  heldBytes: number;
  templates: {
    template: string;
    driver: DriverName;
    wanted: number;
    ready: number;
    filling: number;
    /** ramSize of one member's machines. */
    costBytes: number;
    /** Why the last member could not be made (cleared by the next success). */
    lastError?: string;
  }[];
}

/** Event-loop lag in milliseconds over a window of `windowSeconds`. */
export interface EventLoopLagFigures {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  windowSeconds: number;
}

/** Events on `GET /v1/playgrounds/:id/events` (WebSocket, JSON text frames). */
export type PlaygroundEvent =
  | { type: 'snapshot'; at: string; playground: PlaygroundRecord }
  | { type: 'step'; at: string; step: string; status: 'started' | 'done' | 'failed'; machine?: string; message?: string }
  | { type: 'machine'; at: string; machine: string; state: MachineState; message?: string }
  | { type: 'playground'; at: string; state: PlaygroundState; message?: string }
  | { type: 'log'; at: string; level: 'info' | 'warn' | 'error'; message: string; machine?: string }
  | { type: 'task'; at: string; task: TaskRecord }
  | { type: 'content'; at: string; state: ContentState; message?: string }
  | { type: 'error'; at: string; message: string };

export type PlaygroundEventType = PlaygroundEvent['type'];
