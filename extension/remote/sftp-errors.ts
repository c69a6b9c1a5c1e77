// SFTP status codes (see sftp-status.ts) and Node system errors mapped to the
// FileSystemErrors VS Code understands (it shows "file not found" etc.).
import * as vscode from 'vscode';
import { errorCode } from '../../host-agent/util/errors';
import { SFTP_NO_SUCH_FILE, SFTP_PERMISSION_DENIED, sftpStatus } from './sftp-status';

export function toFileSystemError(err: unknown, uri: vscode.Uri): Error {
  if (err instanceof vscode.FileSystemError) return err;
  const status = sftpStatus(err);
  const code = errorCode(err);
  if (status === SFTP_NO_SUCH_FILE || code === 'ENOENT') return vscode.FileSystemError.FileNotFound(uri);
  if (status === SFTP_PERMISSION_DENIED || code === 'EACCES') return vscode.FileSystemError.NoPermissions(uri);
  const message = err instanceof Error ? err.message : String(err);
  if (/not connected|closed|No response|ECONNRESET|tunnel/i.test(message)) {
    return vscode.FileSystemError.Unavailable(`${uri.toString()}: ${message}`);
  }
  return new vscode.FileSystemError(`${uri.toString()}: ${message}`);
}
