// SFTP status codes (draft-ietf-secsh-filexfer-02, what OpenSSH's sftp-server speaks)
// mapped to the FileSystemErrors VS Code understands (it shows "file not found" etc.).
import * as vscode from 'vscode';

const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;

export function toFileSystemError(err: unknown, uri: vscode.Uri): Error {
  if (err instanceof vscode.FileSystemError) return err;
  const code = (err as { code?: unknown }).code;
  if (code === NO_SUCH_FILE || code === 'ENOENT') return vscode.FileSystemError.FileNotFound(uri);
  if (code === PERMISSION_DENIED || code === 'EACCES') return vscode.FileSystemError.NoPermissions(uri);
  const message = err instanceof Error ? err.message : String(err);
  if (/not connected|closed|No response|ECONNRESET|tunnel/i.test(message)) {
    return vscode.FileSystemError.Unavailable(`${uri.toString()}: ${message}`);
  }
  return new vscode.FileSystemError(`${uri.toString()}: ${message}`);
}
