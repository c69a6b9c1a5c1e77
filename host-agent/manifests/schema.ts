// Playground manifests (`kind: playground`) as iximiuz Labs' manifest reference describes
// them: top level, machines (users, backend, kernel, drives, network interfaces,
// resources, startup files, noSSH), networks, tabs, init tasks and conditions, registry
// auth, access control. Sandlot adds `playground.driver` and `machines[].image` (its own
// image recipe names). This one zod schema is also the JSON Schema editors validate with.
import { z } from 'zod';
import { parseSize, SIZE_PATTERN } from './sizes';

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const IPV4_WITH_MASK = new RegExp(`^${OCTET}(\\.${OCTET}){3}(/(3[0-2]|[12]?[0-9]))?$`);
const IPV4_CIDR = new RegExp(`^${OCTET}(\\.${OCTET}){3}/(3[0-2]|[12]?[0-9])$`);

export const dnsLabel = z
  .string({ error: 'expected a string' })
  .regex(DNS_LABEL, { error: (iss) => `expected a DNS label (lowercase letters, digits, '-'), got ${JSON.stringify(iss.input)}` });

const OWNER_PART = '([a-z_][a-z0-9_-]*|[0-9]+)';
const OWNER = new RegExp(`^${OWNER_PART}(:${OWNER_PART})?$`);
const MODE = /^0?[0-7]{3,4}$/;
const INIT_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const TASK_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const got = (iss: { input?: unknown }): string => `got ${JSON.stringify(iss.input)}`;

export const userSchema = z.strictObject({
  name: z
    .string()
    .regex(USER_NAME, { error: (iss) => `expected a Unix user name, ${got(iss)}` })
    .describe('A user of the machine (root always exists).'),
  default: z.boolean().optional().describe('The user terminals and `sandlot ssh` log in as; the first listed when none is.'),
  welcome: z.string().optional().describe("Login banner, replacing the image's; '-' turns the banner off."),
});

export const startupFileSchema = z.strictObject({
  path: z.string().startsWith('/', { error: 'expected an absolute path' }).describe('Absolute path; missing parent directories are made.'),
  content: z.string({ error: 'expected the file content as a string' }),
  // iximiuz Labs writes "600" (no leading zero), Sandlot "0600"; an unquoted YAML 600 arrives as a number.
  mode: z
    .union([z.string(), z.number().int()], { error: (iss) => `expected an octal mode like "644" or "0644", ${got(iss)}` })
    .transform(String)
    .pipe(z.string().regex(MODE, { error: (iss) => `expected an octal mode like "644" or "0644", ${got(iss)}` }))
    .optional()
    .describe('Octal permissions, "644" or "0644" (default 644).'),
  owner: z
    .string()
    .regex(OWNER, { error: (iss) => `expected "user", "user:group" or numeric "UID[:GID]", ${got(iss)}` })
    .optional()
    .describe('user, user:group or UID[:GID] (default root).'),
  append: z.boolean().optional().describe('Append to the file instead of replacing it.'),
});

export const resourcesSchema = z.strictObject({
  cpuCount: z.number().int().min(1).max(64).optional().describe('Virtual CPUs (default 1).'),
  ramSize: z
    .string()
    .regex(SIZE_PATTERN, { error: (iss) => `expected a size like "512MiB", "2GiB", "512Mi" or "2Gi", ${got(iss)}` })
    .optional()
    .describe('Memory: 512MiB, 2GiB, 512Mi or 2Gi (default 1Gi).'),
});

export const DRIVE_FILESYSTEMS = ['ext4', 'ext2', 'ext3', 'xfs', 'btrfs'] as const;

export const driveSchema = z.strictObject({
  source: z
    .string()
    .min(1, { error: 'expected an image name or oci://registry/image:tag' })
    .optional()
    .describe('A named image (ubuntu-24-04, docker, linux, …) or oci://registry/image:tag; absent: an empty drive. Required for the root drive.'),
  mount: z
    .string()
    .startsWith('/', { error: 'expected an absolute mount point like "/" or "/mnt/data"' })
    .optional()
    .describe('Mount point; exactly one drive has mount: / (the root drive). Other mounted drives are formatted and mounted at boot.'),
  size: z
    .string()
    .regex(SIZE_PATTERN, { error: (iss) => `expected a size like "10GiB", ${got(iss)}` })
    .optional()
    .describe('1GiB to 100GiB; at most 240GiB per playground.'),
  filesystem: z
    .enum(DRIVE_FILESYSTEMS, { error: (iss) => `expected one of ${DRIVE_FILESYSTEMS.join(', ')}, ${got(iss)}` })
    .optional()
    .describe('For empty drives: ext4 when mounted, raw when neither mounted nor given.'),
  readOnly: z.boolean().optional().describe('Attach the drive read-only.'),
});

export const interfaceSchema = z.strictObject({
  network: dnsLabel.optional().describe('The network to join (required when the playground has several).'),
  address: z
    .string()
    .regex(IPV4_WITH_MASK, { error: (iss) => `expected an IPv4 address like "10.0.1.10" or "10.0.1.10/24", ${got(iss)}` })
    .optional()
    .describe('Static IPv4 address, with or without a mask; default: the first free one.'),
});

export const networkSchema = z.strictObject({
  name: dnsLabel,
  subnet: z
    .string()
    .regex(IPV4_CIDR, { error: (iss) => `expected an IPv4 CIDR like "10.0.1.0/24", ${got(iss)}` })
    .describe('IPv4 CIDR, e.g. 10.0.1.0/24.'),
  gateway: z
    .string()
    .regex(IPV4, { error: (iss) => `expected a plain IPv4 address (no mask) like "10.0.1.1", ${got(iss)}` })
    .optional()
    .describe('Default: the first free address of the subnet.'),
  private: z.boolean().optional().describe('No NAT to the outside and no default route through this network.'),
});

export const BACKENDS = ['firecracker', 'cloud-hypervisor'] as const;

export const machineSchema = z.strictObject({
  name: dnsLabel.describe("The machine's host name inside the playground."),
  image: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'expected an image recipe name like "linux"' })
    .optional()
    .describe("Sandlot's form of the root drive's image (linux, docker, k3s, zig; default linux). drives[].source wins."),
  users: z.array(userSchema).min(1, { error: 'expected at least one user' }).optional().describe('Users of the machine; default: root.'),
  backend: z
    .enum(BACKENDS, { error: (iss) => `expected one of ${BACKENDS.join(', ')}, ${got(iss)}` })
    .optional()
    .describe("iximiuz Labs' VM monitor: asks for virtual machines (Sandlot's microvm driver, where the agent runs it)."),
  kernel: z
    .strictObject({
      source: z.string().regex(/^[0-9]+\.[0-9]+(\.[0-9]+)?$/, { error: (iss) => `expected a kernel version like "6.1", ${got(iss)}` }),
    })
    .optional()
    .describe('Kernel version to boot (e.g. 6.1); drivers that share the host kernel say it is not available.'),
  drives: z
    .array(driveSchema)
    .min(1, { error: 'expected at least the root drive (mount: /)' })
    .max(24, { error: 'expected at most 24 drives' })
    .optional()
    .describe('Drives in device order; default: one root drive from image.'),
  network: z
    .strictObject({
      interfaces: z.array(interfaceSchema).min(1, { error: 'expected at least one interface' }).describe('eth0, eth1, … in this order.'),
    })
    .optional()
    .describe('Default: one interface on the first network.'),
  resources: resourcesSchema.optional(),
  startupFiles: z
    .array(startupFileSchema)
    .max(10, { error: 'expected at most 10 startup files' })
    .optional()
    .describe('Files written before the machine first boots (at most 10).'),
  noSSH: z.boolean().optional().describe('No SSH server and no terminal tab.'),
});

export const TAB_KINDS = ['terminal', 'ide', 'http-port', 'web-page', 'kexp'] as const;

export const tabSchema = z.strictObject({
  kind: z
    .enum(TAB_KINDS, { error: (iss) => `expected one of ${TAB_KINDS.join(', ')}, ${got(iss)}` })
    .optional()
    .describe('Default terminal: a bare `- machine: x` is a terminal on x.'),
  machine: dnsLabel.optional().describe('Default: the first machine.'),
  name: z.string().min(1).max(64).optional().describe('Tab title; required for http-port and web-page.'),
  number: z.number().int().min(1).max(65535).optional().describe('http-port: the port of the machine to show.'),
  tls: z.boolean().optional().describe('http-port: the server speaks HTTPS.'),
  hostRewrite: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/, { error: (iss) => `expected a host name like "app.example.com", ${got(iss)}` })
    .optional()
    .describe('http-port: the Host header the server expects.'),
  pathRewrite: z
    .string()
    .startsWith('/', { error: (iss) => `expected a URL path starting with "/", ${got(iss)}` })
    .optional()
    .describe('http-port: the path to open when the app is not served from /.'),
  url: z
    .url({ protocol: /^https?$/, error: (iss) => `expected an http(s) URL, ${got(iss)}` })
    .optional()
    .describe('web-page: the page to show.'),
  id: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, { error: (iss) => `expected letters, digits, '.', '_' or '-', ${got(iss)}` })
    .optional()
    .describe('Default <kind>-<machine>; set it to tell several tabs of a kind on one machine apart.'),
  pane: z.enum(['left', 'right']).optional().describe('right: open beside the other tabs.'),
  target: z.enum(['window']).optional().describe('window: open in the external browser instead of an editor.'),
});

export const initConditionSchema = z.strictObject({
  key: z
    .string()
    .regex(INIT_KEY, { error: (iss) => `expected a key of letters, digits, '_', '.' or '-', ${got(iss)}` })
    .describe("The name init tasks' conditions and `-i key=value` use."),
  default: z.string().optional().describe('Pre-selected value.'),
  options: z.array(z.string()).min(1, { error: 'expected at least one option' }).optional().describe('The allowed values (a pick list).'),
  nullable: z.boolean().optional().describe('An empty value is allowed.'),
  placeholder: z.string().optional().describe('Hint shown in the input box.'),
  validationRegex: z.string().optional().describe('Free-form values must match it.'),
});

export const initTaskSchema = z.strictObject({
  init: z.boolean().optional().describe('Playground tasks are init tasks (true); false is refused.'),
  machine: dnsLabel.optional().describe('Default: the first machine.'),
  user: z
    .string()
    .regex(USER_NAME, { error: (iss) => `expected a Unix user name, ${got(iss)}` })
    .optional()
    .describe('Default root.'),
  run: z.string({ error: 'expected a shell script' }).describe('Bash script.'),
  needs: z.array(z.string()).optional().describe('Tasks that must complete first.'),
  timeout_seconds: z.number().int().positive().optional().describe('Default 60.'),
  conditions: z
    .array(z.strictObject({ key: z.string(), value: z.string() }))
    .optional()
    .describe('Run only when these init condition values were chosen.'),
  env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*=/, { error: (iss) => `expected "NAME=value", ${got(iss)}` })).optional(),
});

export const PRINCIPAL = /^(owner|anyone|authenticated|(user|student):[^\s:]+)$/;
const principals = z
  .array(z.string().regex(PRINCIPAL, { error: (iss) => `expected owner, anyone, authenticated, user:<id> or student:<training>, ${got(iss)}` }))
  .min(1, { error: 'expected at least one principal' });

export const accessControlSchema = z.strictObject({
  canList: principals.optional().describe('Who sees the playground in catalogs.'),
  canRead: principals.optional().describe('Who can open its page.'),
  canStart: principals.optional().describe('Who can start it.'),
});

export const playgroundSectionSchema = z.strictObject({
  driver: z.enum(['sandbox', 'docker', 'microvm']).optional().describe("Sandlot's own: the driver that makes the machines (a machine's backend wins)."),
  networks: z
    .array(networkSchema)
    .min(1, { error: 'expected at least one network (or leave networks out for the default "local")' })
    .optional()
    .describe('Isolated networks; default: one "local" 172.16.0.0/24.'),
  machines: z
    .array(machineSchema)
    .min(1, { error: 'expected at least one machine' })
    .max(5, { error: 'expected at most 5 machines' })
    .optional()
    .describe("1 to 5 machines; with a template base: a subset of the base's machines, tweaked."),
  tabs: z
    .array(tabSchema)
    .min(1, { error: 'expected at least one tab (or leave tabs out for a terminal per machine)' })
    .max(10, { error: 'expected at most 10 tabs' })
    .optional()
    .describe('The layout VS Code opens; default: a terminal per SSH machine.'),
  initTasks: z
    .record(z.string().regex(TASK_NAME, { error: (iss) => `expected a task name (letters, digits, _ and -), ${got(iss)}` }), initTaskSchema)
    .optional()
    .describe('Scripts run once while the playground starts.'),
  initConditions: z
    .strictObject({ values: z.array(initConditionSchema) })
    .optional()
    .describe('Values asked for at start (`sandlot start -i key=value`).'),
  // Exactly one colon: neither part may hold one (iximiuz Labs' rule). Empty: no auth.
  registryAuth: z
    .string()
    .regex(/^([^:\s]+:[^:\s]+)?$/, { error: 'expected "user:password" (exactly one colon)' })
    .optional()
    .describe("user:password for the playground's registry; empty: anonymous."),
  accessControl: accessControlSchema.optional().describe('Who may list, read and start it (recorded; this agent serves one user).'),
  access: z
    .strictObject({ mode: z.enum(['private', 'public'], { error: (iss) => `expected private or public, ${got(iss)}` }) })
    .optional()
    .describe('Deprecated: converted to accessControl.'),
});

export const manifestInputSchema = z.strictObject({
  kind: z.literal('playground', { error: (iss) => `expected "playground", ${got(iss)}` }),
  name: dnsLabel.describe('Host-name-like identifier.'),
  base: dnsLabel.optional().describe('flexbox (any machines) or a template (linux, docker, k3s, …) whose machines are kept.'),
  title: z.string().max(120, { error: 'expected at most 120 characters' }).optional(),
  description: z.string().max(500, { error: 'expected at most 500 characters' }).optional(),
  categories: z.array(z.string().min(1)).optional(),
  markdown: z.string().max(100_000, { error: 'expected at most 100,000 characters' }).optional().describe('Long-form description (markdown).'),
  cover: z.string().optional().describe('Cover image URL.'),
  playground: playgroundSectionSchema,
});

/** A manifest as written: `machines` may be left to its base. */
export type ManifestInput = z.infer<typeof manifestInputSchema>;
/** A manifest with its base applied: every machine listed. */
export type PlaygroundManifest = ManifestInput & { playground: ManifestInput['playground'] & { machines: MachineManifest[] } };
export type MachineManifest = z.infer<typeof machineSchema>;
export type StartupFile = z.infer<typeof startupFileSchema>;
export type InitTask = z.infer<typeof initTaskSchema>;
export type InitCondition = z.infer<typeof initConditionSchema>;
export type TabManifest = z.infer<typeof tabSchema>;
export type AccessControl = z.infer<typeof accessControlSchema>;
export type NetworkManifest = z.infer<typeof networkSchema>;
export type InterfaceManifest = z.infer<typeof interfaceSchema>;
export type DriveManifest = z.infer<typeof driveSchema>;

export const DEFAULT_RESOURCES = { cpuCount: 1, ramSize: '1Gi' } as const;

/** A machine's `resources` with the defaults filled in, and the RAM in bytes. */
export function machineResources(r: MachineManifest['resources']): { cpuCount: number; ramSize: string; ramBytes: number } {
  const ramSize = r?.ramSize ?? DEFAULT_RESOURCES.ramSize;
  return { cpuCount: r?.cpuCount ?? DEFAULT_RESOURCES.cpuCount, ramSize, ramBytes: parseRamSize(ramSize) };
}

/** Bytes in a `ramSize` string ("512MiB", "2Gi", "1G"). */
export const parseRamSize = parseSize;
