// `sandlot cp`: files and directory trees to and from a machine over SFTP. With -r a
// symbolic link is copied as a link (its target text unchanged), never followed, so a
// link pointing back up the tree cannot send the copy round in a loop; special files
// (fifos, sockets, devices) are skipped with a note, as reading a fifo would hang.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';
import { errorMessage } from '../util/errors';
import { CliError } from './context';

/** SFTP's "failure" status: what OpenSSH's sftp-server answers for mkdir of an existing directory. */
const SFTP_FAILURE = 4;

const call = <T>(fn: (cb: (err: Error | null | undefined, v: T) => void) => void) =>
  new Promise<T>((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));

export interface CopyOptions {
  recursive: boolean;
  /** A line for what was skipped (special files). */
  note: (line: string) => void;
}

export async function upload(sftp: SFTPWrapper, local: string, remote: string, opts: CopyOptions, top = true): Promise<void> {
  // The top-level source is followed without -r (cp copies what a link points to), never below it.
  const st = top && !opts.recursive ? fs.statSync(local) : fs.lstatSync(local);
  if (st.isSymbolicLink()) {
    const target = fs.readlinkSync(local);
    await call<void>((cb) => sftp.symlink(target, remote, (e) => cb(e, undefined))).catch((err: unknown) => {
      throw new CliError(`cp: ${remote}: cannot make a link to ${target}: ${errorMessage(err)}`);
    });
  } else if (st.isDirectory()) {
    if (!opts.recursive) throw new CliError(`cp: ${local} is a directory (use -r)`);
    await call<void>((cb) => sftp.mkdir(remote, { mode: st.mode & 0o7777 }, (e) => cb(failureCode(e) === SFTP_FAILURE ? undefined : e, undefined)));
    for (const name of fs.readdirSync(local)) await upload(sftp, path.join(local, name), path.posix.join(remote, name), opts, false);
  } else if (st.isFile()) {
    await call<void>((cb) => sftp.fastPut(local, remote, { mode: st.mode & 0o777 }, (e) => cb(e, undefined)));
  } else {
    opts.note(`cp: ${local}: not a regular file, directory or link; skipped`);
  }
}

export async function download(sftp: SFTPWrapper, remote: string, local: string, opts: CopyOptions, top = true): Promise<void> {
  const st = await call<Stats>((cb) => (top && !opts.recursive ? sftp.stat(remote, cb) : sftp.lstat(remote, cb)));
  if (st.isSymbolicLink()) {
    const target = await call<string>((cb) => sftp.readlink(remote, cb));
    fs.rmSync(local, { force: true });
    fs.symlinkSync(target, local);
  } else if (st.isDirectory()) {
    if (!opts.recursive) throw new CliError(`cp: ${remote} is a directory (use -r)`);
    fs.mkdirSync(local, { recursive: true, mode: st.mode & 0o7777 });
    const entries = await call<{ filename: string }[]>((cb) => sftp.readdir(remote, cb));
    for (const e of entries) await download(sftp, path.posix.join(remote, e.filename), path.join(local, e.filename), opts, false);
  } else if (st.isFile()) {
    await call<void>((cb) => sftp.fastGet(remote, local, (e) => cb(e, undefined)));
    fs.chmodSync(local, st.mode & 0o777);
  } else {
    opts.note(`cp: ${remote}: not a regular file, directory or link; skipped`);
  }
}

function failureCode(err: Error | null | undefined): number | undefined {
  return err && 'code' in err && typeof err.code === 'number' ? err.code : undefined;
}
