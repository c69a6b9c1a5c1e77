// Playground manifests (`kind: playground`), in the shape iximiuz Labs uses:
// `playground.machines[]` with `name`, `users`, `resources`, `startupFiles`, `noSSH`.
// Sandlot adds `driver` (per-template override) and `image` (which local image recipe a
// machine boots; drivers that run the host's own userland ignore it).
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

export const userSchema = z.strictObject({
  name: z.string().regex(USER_NAME, { error: (iss) => `expected a Unix user name, got ${JSON.stringify(iss.input)}` }),
  default: z.boolean().optional(),
  welcome: z.string().optional(),
});

export const startupFileSchema = z.strictObject({
  path: z.string().startsWith('/', { error: 'expected an absolute path' }),
  content: z.string({ error: 'expected the file content as a string' }),
  mode: z
    .string()
    .regex(/^0?[0-7]{3,4}$/, { error: (iss) => `expected an octal mode like "0644", got ${JSON.stringify(iss.input)}` })
    .optional(),
  owner: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]*(:[a-z_][a-z0-9_-]*)?$/, { error: 'expected "user" or "user:group"' })
    .optional(),
  append: z.boolean().optional(),
});

export const resourcesSchema = z.strictObject({
  cpuCount: z.number().int().min(1).max(64).optional(),
  ramSize: z
    .string()
    .regex(SIZE_PATTERN, { error: (iss) => `expected a size like "512MiB", "2GiB", "512Mi" or "2Gi", got ${JSON.stringify(iss.input)}` })
    .optional(),
});

export const DRIVE_FILESYSTEMS = ['ext4', 'ext2', 'ext3', 'xfs', 'btrfs'] as const;

export const driveSchema = z.strictObject({
  source: z.string().min(1, { error: 'expected an image name or oci://registry/image:tag' }).optional(),
  mount: z.string().startsWith('/', { error: 'expected an absolute mount point like "/" or "/mnt/data"' }).optional(),
  size: z
    .string()
    .regex(SIZE_PATTERN, { error: (iss) => `expected a size like "10GiB", got ${JSON.stringify(iss.input)}` })
    .optional(),
  filesystem: z.enum(DRIVE_FILESYSTEMS, { error: (iss) => `expected one of ${DRIVE_FILESYSTEMS.join(', ')}, got ${JSON.stringify(iss.input)}` }).optional(),
  readOnly: z.boolean().optional(),
});

export const interfaceSchema = z.strictObject({
  network: dnsLabel.optional(),
  address: z
    .string()
    .regex(IPV4_WITH_MASK, { error: (iss) => `expected an IPv4 address like "10.0.1.10" or "10.0.1.10/24", got ${JSON.stringify(iss.input)}` })
    .optional(),
});

export const networkSchema = z.strictObject({
  name: dnsLabel,
  subnet: z.string().regex(IPV4_CIDR, { error: (iss) => `expected an IPv4 CIDR like "10.0.1.0/24", got ${JSON.stringify(iss.input)}` }),
  gateway: z
    .string()
    .regex(IPV4, { error: (iss) => `expected a plain IPv4 address (no mask) like "10.0.1.1", got ${JSON.stringify(iss.input)}` })
    .optional(),
  private: z.boolean().optional(),
});

export const machineSchema = z.strictObject({
  name: dnsLabel,
  image: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'expected an image recipe name like "linux"' })
    .optional(),
  users: z.array(userSchema).min(1).optional(),
  drives: z.array(driveSchema).min(1, { error: 'expected at least the root drive (mount: /)' }).max(24, { error: 'expected at most 24 drives' }).optional(),
  network: z
    .strictObject({
      interfaces: z.array(interfaceSchema).min(1, { error: 'expected at least one interface' }),
    })
    .optional(),
  resources: resourcesSchema.optional(),
  startupFiles: z.array(startupFileSchema).optional(),
  noSSH: z.boolean().optional(),
});

// Init tasks follow the iximiuz task shape; the task engine (content/) owns their
// semantics. Here they are only carried along, checked for shape.
export const initTaskSchema = z
  .object({
    machine: z.string().optional(),
    user: z.string().optional(),
    run: z.string({ error: 'expected a shell script' }),
    init: z.boolean().optional(),
    needs: z.array(z.string()).optional(),
    timeout_seconds: z.number().positive().optional(),
    env: z.array(z.string()).optional(),
  })
  .loose();

export const playgroundManifestSchema = z.strictObject({
  kind: z.literal('playground', { error: (iss) => `expected "playground", got ${JSON.stringify(iss.input)}` }),
  name: dnsLabel,
  title: z.string().optional(),
  description: z.string().optional(),
  categories: z.array(z.string()).optional(),
  playground: z.strictObject({
    driver: z.enum(['sandbox', 'docker', 'microvm']).optional(),
    networks: z.array(networkSchema).min(1, { error: 'expected at least one network (or leave networks out for the default "local")' }).optional(),
    machines: z.array(machineSchema).min(1, { error: 'expected at least one machine' }).max(5, { error: 'expected at most 5 machines' }),
    initTasks: z.record(z.string(), initTaskSchema).optional(),
    registryAuth: z
      .string()
      .regex(/^[^:\s]+:[^\s]+$/, { error: 'expected "user:password"' })
      .optional(),
  }),
});

export type PlaygroundManifest = z.infer<typeof playgroundManifestSchema>;
export type MachineManifest = z.infer<typeof machineSchema>;
export type StartupFile = z.infer<typeof startupFileSchema>;
export type InitTask = z.infer<typeof initTaskSchema>;
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
