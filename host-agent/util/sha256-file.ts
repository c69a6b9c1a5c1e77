// The sha256 of a file, read as a stream: kernel packages and toolchains are tens to
// hundreds of MB, too big to read into memory just to hash them.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

/** Hex sha256 of the file's content. */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    fs.createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
