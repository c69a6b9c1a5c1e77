// The agent ↔ driver boundary. Playground logic (playgrounds/) only talks to drivers
// through this interface and never branches on which driver it holds.
import type { Duplex } from 'node:stream';
import type { DriverName, MachineState } from '../api/protocol';
import type { PlaygroundManifest, StartupFile } from '../manifests/schema';

export interface KeyPair {
  /** OpenSSH-format private key. */
  privateKey: string;
  /** OpenSSH public key line (`ssh-ed25519 AAAA… comment`). */
  publicKey: string;
}

export interface MachineUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/**
 * One isolated L2 network of a playground (a bridge), as a manifest's `playground.networks[]`
 * declares it; a manifest without networks gets one named `local` (172.16.0.0/24).
 * Networks never route to each other: traffic crosses only through machines on both.
 */
export interface NetworkSpec {
  name: string;
  /** IPv4 CIDR, e.g. `172.16.0.0/24`. */
  subnet: string;
  /** Address of the network's gateway inside the subnet (no mask): NAT leaves through it unless `private`. */
  gateway: string;
  /** No NAT to the outside and no default route through this network. */
  private: boolean;
}

/** One network interface of a machine: `eth0`, `eth1`, … in the manifest's list order. */
export interface InterfaceSpec {
  name: string;
  /** A NetworkSpec name of the same playground. */
  network: string;
  /** The machine's IPv4 address on that network (static from the manifest, or the first free one). */
  address: string;
  /** Prefix length: from `address/NN` when given, else the subnet's. */
  prefixLength: number;
}

/** One drive of a machine, in the manifest's list order (`/dev/vda`, `/dev/vdb`, … on VMs). */
export interface DriveSpec {
  /** A named image (`linux`, or an iximiuz name mapped to one) or `oci://registry/image:tag`; absent: an empty drive. */
  source?: string;
  /** Where it is mounted inside the machine (`/` for the root drive); absent: attached, not mounted. */
  mount?: string;
  /** Size in bytes; absent: the driver's default. */
  sizeBytes?: number;
  /** File system to format an empty drive with; absent with no `mount`: left raw. */
  filesystem?: 'ext4' | 'ext2' | 'ext3' | 'xfs' | 'btrfs';
  readOnly: boolean;
}

export interface MachineSpec {
  name: string;
  /** Position in the playground, stable for its life (drivers derive addresses from it). */
  index: number;
  image: string;
  users: MachineUser[];
  defaultUser: string;
  resources: { cpuCount: number; ramSize: string; ramBytes: number };
  startupFiles: StartupFile[];
  noSSH: boolean;
  hostKey: KeyPair;
  /** `eth0`, `eth1`, … in the manifest's order; every machine has at least one. */
  interfaces: InterfaceSpec[];
  /** Through the first interface on a non-private network; absent when the machine is only on private ones (no way out). */
  defaultRoute?: { interface: string; gateway: string };
  /** In the manifest's order; exactly one has `mount: '/'` and its `source` is `image`. */
  drives: DriveSpec[];
  /** iximiuz `backend`: the machine asked for a VM of this kind (the agent then picks the microvm driver where it runs). */
  backend?: 'firecracker' | 'cloud-hypervisor';
  /** iximiuz `kernel.source` (e.g. `6.1`): a wish; a driver that cannot boot that kernel says so when it creates the machine. */
  kernel?: string;
}

export interface PlaygroundSpec {
  id: string;
  /** Directory the agent reserves for this playground; drivers keep their files under `<dir>/driver`. */
  dir: string;
  manifest: PlaygroundManifest;
  /** At least one; the manifest's `playground.networks`, or the default `local`. */
  networks: NetworkSpec[];
  machines: MachineSpec[];
  /** The playground user's public key: every machine authorizes it for every user. */
  authorizedKey: string;
  /** A fork being made: the snapshot directory it starts from (validate() sees it before createFromSnapshot). */
  fromSnapshot?: string;
}

export type ProgressFn = (step: string, status: 'started' | 'done' | 'failed', machine?: string, message?: string) => void;

export interface DriverContext {
  progress: ProgressFn;
  log: (level: 'info' | 'warn' | 'error', message: string, machine?: string) => void;
}

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** What to install or change when `ok` is false (or `warning` is set). */
  fix?: string;
  /** `ok` but worth knowing: the driver works, with less than it could do (e.g. no resource limits). */
  warning?: boolean;
}

export interface DoctorReport {
  driver: DriverName;
  usable: boolean;
  checks: DoctorCheck[];
}

/** Raised when a driver cannot work on this host; the message says what is missing. */
export class DriverUnavailableError extends Error {
  constructor(
    readonly driver: DriverName,
    message: string,
  ) {
    super(message);
    this.name = 'DriverUnavailableError';
  }
}

/** One machine's part of a snapshot, as the driver wrote it under the snapshot directory. */
export interface MachineSnapshot {
  name: string;
  /** The image the machine's root came from (a fork needs the same one). */
  image: string;
  /** Paths (relative to the snapshot directory) of what the driver wrote for this machine. */
  paths: string[];
  /** Bytes it takes on disk (blocks actually used). */
  bytes: number;
}

export interface Driver {
  readonly name: DriverName;
  /** One line on what this driver isolates here (for `sandlot status`). */
  describeIsolation(): string;
  doctor(): Promise<DoctorReport>;
  /** Throws DriverUnavailableError if machines cannot be made on this host. */
  preflight(): Promise<void>;
  /** Checks a playground against this host (e.g. memory above the host) before anything is made. */
  validate?(spec: PlaygroundSpec): Promise<void>;
  /** Creates the network and all machines and starts them; resolves when every machine is running. */
  create(spec: PlaygroundSpec, ctx: DriverContext): Promise<void>;
  start(spec: PlaygroundSpec, ctx: DriverContext): Promise<void>;
  stop(spec: PlaygroundSpec, ctx: DriverContext): Promise<void>;
  /** Removes everything the driver made for the playground; idempotent. */
  destroy(spec: PlaygroundSpec, ctx: DriverContext): Promise<void>;
  /** After an agent restart: re-attaches to what is still running and reports each machine's state. */
  adopt(spec: PlaygroundSpec, ctx: DriverContext): Promise<Record<string, MachineState>>;
  /** Raw bytes to a TCP port of one machine of the playground (port 22 is its SSH server). */
  connect(spec: PlaygroundSpec, machine: string, port: number): Promise<Duplex>;
  /** Resident memory per machine, in bytes, where the driver can tell. */
  memoryUsage?(spec: PlaygroundSpec): Promise<Record<string, number>>;
  /** Address of a machine inside its playground network, for display. */
  address?(spec: PlaygroundSpec, machine: string): string | undefined;
  /**
   * Freezes the state of every machine into `dir` (a new, empty directory the agent owns):
   * running machines are paused for the moment of the copy, stopped ones copied as they
   * are. Copy-on-write where the host allows. Returns what each machine's part holds; the
   * agent records it with checksums and refuses a fork from a snapshot that changed.
   */
  snapshot?(spec: PlaygroundSpec, dir: string, ctx: DriverContext): Promise<MachineSnapshot[]>;
  /**
   * Like create(), but each machine starts from its state in snapshot `dir` (made by this
   * driver from a playground with the same machines). The spec carries the new playground's
   * own host keys and key pair: nothing of the original's identity survives in a fork.
   */
  createFromSnapshot?(spec: PlaygroundSpec, dir: string, ctx: DriverContext): Promise<void>;
  /**
   * Gives the running machines of a playground the identity in `spec` — each machine's
   * host key, the authorized playground key and the playground key files in every user's
   * home — replacing the one they were made with, before anyone else reaches them (a
   * playground handed out from the warm pool). A driver without it gets no warm pool.
   */
  refreshIdentity?(spec: PlaygroundSpec, ctx: DriverContext): Promise<void>;
  /**
   * What the driver keeps of a snapshot outside `dir` (e.g. engine images), checked before a
   * fork: a line saying what is gone or changed, or undefined when a fork can start from it.
   */
  checkSnapshot?(dir: string, machines: string[]): Promise<string | undefined>;
  /** Removes what the driver keeps for a snapshot outside `dir` (e.g. engine images); idempotent. */
  deleteSnapshot?(dir: string): Promise<void>;
  /** Stops background work; machines keep running. */
  close(): Promise<void>;
}
