import { describe, expect, it } from 'vitest';
import { SFTP_NO_SUCH_FILE, sftpStatus } from '../../../../extension/remote/sftp-status';

describe('sftpStatus', () => {
  it("reads ssh2's numeric status and nothing else", () => {
    expect(sftpStatus(Object.assign(new Error('No such file'), { code: 2 }))).toBe(SFTP_NO_SUCH_FILE);
    // A Node system error's code is a string: not an SFTP status.
    expect(sftpStatus(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBeUndefined();
    expect(sftpStatus(new Error('plain'))).toBeUndefined();
    expect(sftpStatus(undefined)).toBeUndefined();
    expect(sftpStatus('text')).toBeUndefined();
  });
});
