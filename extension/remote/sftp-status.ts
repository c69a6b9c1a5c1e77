// SFTP status codes (draft-ietf-secsh-filexfer-02, what OpenSSH's sftp-server speaks) as
// ssh2 reports them: a number in the error's `code`. No vscode import, so the
// benchmarks use the same code.

export const SFTP_EOF = 1;
export const SFTP_NO_SUCH_FILE = 2;
export const SFTP_PERMISSION_DENIED = 3;

/** The SFTP status an ssh2 error carries, if it carries one. */
export function sftpStatus(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number') return err.code;
  return undefined;
}
