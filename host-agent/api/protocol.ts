// The agent's HTTP + WebSocket API: the one set of types the agent, the `sandlot` CLI
// and the VS Code extension share. Keep this file free of Node-only imports so the
// extension and webviews can import it too.

export const API_PREFIX = '/v1';

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
  /** Set by the content/task engine when the playground runs a tutorial or challenge. */
  content?: ContentRecord;
  /** Task states of the content, by task name (set together with `content`). */
  tasks?: Record<string, TaskRecord>;
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

/** `POST /v1/content`: start a tutorial or challenge on a new playground. */
export interface StartContentRequest {
  /** A content folder on the agent's host (iximiuz `index.md` or Killercoda `index.json`) or a built-in name. */
  source: string;
  lifetimeMinutes?: number;
  /** Run it on this driver instead of the one its playground asks for (`sandlot content test --driver`). */
  driver?: DriverName;
}

/**
 * `POST …/machines/:machine/changed`: something happened in the machine that may satisfy
 * pending checks (a command finished in a terminal, a file was saved). Every pending check
 * of the playground runs now, since a check may look at any machine.
 */
export interface MachineChangedRequest {
  /** What happened, for the agent's log: `terminal`, `save`, `solution`, … */
  reason?: string;
}

export interface MachineChangedResponse {
  /** The tasks being checked again (none when the playground runs no content or all passed). */
  checking: string[];
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

/** `POST …/tasks/:task/input`: a learner's answer to a user-input task. */
export interface TaskInputRequest {
  value: string;
}

export interface TemplateSummary {
  name: string;
  title: string;
  description: string;
  driver?: DriverName;
  machines: { name: string }[];
  source: 'builtin' | 'user';
}

export interface CreatePlaygroundRequest {
  /** A catalog template name … */
  template?: string;
  /** … or a manifest's YAML text (`kind: playground`). */
  manifest?: string;
  /** Names the manifest in error messages (the CLI passes the path it read). */
  manifestName?: string;
  /** Lifetime in minutes; default 120. */
  lifetimeMinutes?: number;
}

export interface ExtendRequest {
  minutes: number;
}

export interface SshKeyResponse {
  /** OpenSSH-format ed25519 private key of the playground's user key pair. */
  privateKey: string;
  publicKey: string;
  /** `known_hosts` lines keyed by host alias `sandlot--<pg>--<machine>`. */
  knownHosts: string[];
}

export interface ExecRequest {
  command: string;
  user?: string;
  env?: Record<string, string>;
  timeoutSeconds?: number;
}

/** `POST …/exec` answers with newline-delimited JSON, one of these per line. */
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
}

export interface ApiError {
  error: { code: string; message: string };
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

/** WebSocket close code the agent uses when a playground is destroyed. */
export const CLOSE_PLAYGROUND_GONE = 4404;
/** WebSocket close code for a refused tunnel (unknown machine, bad port). */
export const CLOSE_TUNNEL_REFUSED = 4403;

export const HOST_ALIAS_PREFIX = 'sandlot--';

/** `sandlot--<playground>--<machine>`: the SSH host alias of a machine. */
export function hostAlias(playground: string, machine: string): string {
  return `${HOST_ALIAS_PREFIX}${playground}--${machine}`;
}

export function parseHostAlias(alias: string): { playground: string; machine: string } | undefined {
  if (!alias.startsWith(HOST_ALIAS_PREFIX)) return undefined;
  const rest = alias.slice(HOST_ALIAS_PREFIX.length);
  const sep = rest.indexOf('--');
  if (sep <= 0 || sep + 2 >= rest.length) return undefined;
  return { playground: rest.slice(0, sep), machine: rest.slice(sep + 2) };
}

export const ROUTES = {
  info: () => `${API_PREFIX}/info`,
  templates: () => `${API_PREFIX}/templates`,
  playgrounds: () => `${API_PREFIX}/playgrounds`,
  playground: (id: string) => `${API_PREFIX}/playgrounds/${encodeURIComponent(id)}`,
  action: (id: string, action: 'stop' | 'start' | 'restart' | 'extend') => `${API_PREFIX}/playgrounds/${encodeURIComponent(id)}/${action}`,
  sshKey: (id: string) => `${API_PREFIX}/playgrounds/${encodeURIComponent(id)}/ssh-key`,
  events: (id: string) => `${API_PREFIX}/playgrounds/${encodeURIComponent(id)}/events`,
  tunnel: (id: string, machine: string, port: number) =>
    `${API_PREFIX}/playgrounds/${encodeURIComponent(id)}/machines/${encodeURIComponent(machine)}/tunnel?port=${port}`,
  exec: (id: string, machine: string) => `${API_PREFIX}/playgrounds/${encodeURIComponent(id)}/machines/${encodeURIComponent(machine)}/exec`,
  /** GET: built-in content; POST: start content (StartContentRequest → PlaygroundRecord). */
  content: () => `${API_PREFIX}/content`,
  /** GET: the content document (pages and task specs) a playground runs. */
  playgroundContent: (id: string) => `${API_PREFIX}/playgrounds/${encodeURIComponent(id)}/content`,
  contentAction: (id: string, action: 'stop' | 'restart') => `${API_PREFIX}/playgrounds/${encodeURIComponent(id)}/content/${action}`,
  /** GET: task records by name. */
  tasks: (id: string) => `${API_PREFIX}/playgrounds/${encodeURIComponent(id)}/tasks`,
  taskInput: (id: string, task: string) => `${API_PREFIX}/playgrounds/${encodeURIComponent(id)}/tasks/${encodeURIComponent(task)}/input`,
  /** POST: something changed in the machine (MachineChangedRequest → MachineChangedResponse). */
  machineChanged: (id: string, machine: string) => `${API_PREFIX}/playgrounds/${encodeURIComponent(id)}/machines/${encodeURIComponent(machine)}/changed`,
} as const;
