// Content files are opened by real path and refused when a symbolic link leads out of the
// content folder; sizes are capped per file and per content. Real files, links and FIFOs
// in a temp folder.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContentFiles } from '../../../../host-agent/content/files';
import { CONTENT_LIMITS, type ContentLimits } from '../../../../host-agent/content/limits';
import { errorMessage } from '../../../../host-agent/util/errors';

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A temp root with `content/` (the content folder) and `outside/secret.txt` next to it. */
function layout(files: Record<string, string> = {}): { root: string; dir: string; secret: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandlot-files-test-'));
  made.push(root);
  const dir = path.join(root, 'content');
  fs.mkdirSync(dir);
  fs.mkdirSync(path.join(root, 'outside'));
  const secret = path.join(root, 'outside', 'secret.txt');
  fs.writeFileSync(secret, 'TOP SECRET');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return { root, dir, secret };
}

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return errorMessage(err);
  }
  return 'no error';
};

const small = (over: Partial<ContentLimits>): ContentLimits => ({ ...CONTENT_LIMITS, ...over });

describe('ContentFiles', () => {
  it('reads files inside the folder, also through links that stay inside', () => {
    const { dir } = layout({ 'index.md': '# hi', 'step1/verify.sh': 'true\n' });
    fs.symlinkSync('step1/verify.sh', path.join(dir, 'check.sh'));
    const files = new ContentFiles(dir);
    expect(files.readText('index.md')).toBe('# hi');
    expect(files.readText('check.sh', 'script')).toBe('true\n');
    expect(files.kind('step1')).toBe('dir');
    expect(files.kind('nope.md')).toBe('missing');
  });

  it('refuses a symbolic link to a file outside, without reading it', () => {
    const { dir, secret } = layout();
    fs.symlinkSync(secret, path.join(dir, 'verify.sh'));
    const files = new ContentFiles(dir);
    const text = message(() => files.readText('verify.sh', 'script'));
    expect(text).toBe('"verify.sh" is a symbolic link to something outside the content folder (refused)');
    expect(text).not.toContain('TOP SECRET');
    expect(message(() => files.checkAsset('verify.sh'))).toMatch(/symbolic link to something outside/);
  });

  it('refuses paths through a linked folder that leads outside, present or not', () => {
    const { dir, secret } = layout();
    fs.symlinkSync(path.dirname(secret), path.join(dir, 'step1'));
    const files = new ContentFiles(dir);
    expect(message(() => files.readText('step1/secret.txt'))).toBe(
      '"step1/secret.txt" passes through a symbolic link that leads outside the content folder (refused)',
    );
    // A missing file behind the link is refused the same way: no hint whether it exists there.
    expect(message(() => files.readText('step1/nothing-here.txt'))).toMatch(/passes through a symbolic link that leads outside/);
    expect(() => files.kind('step1')).toThrow(/symbolic link to something outside/);
    expect(() => files.list('.')).toThrow(/"step1" is a symbolic link/);
  });

  it('refuses absolute paths, paths with .. and NUL bytes', () => {
    const { dir } = layout({ 'a.md': 'x' });
    const files = new ContentFiles(dir);
    expect(message(() => files.readText('/etc/passwd'))).toBe('"/etc/passwd" is an absolute path (expected a path inside the content folder)');
    expect(message(() => files.readText('../outside/secret.txt'))).toBe('"../outside/secret.txt" points outside the content folder');
    expect(message(() => files.readText('a.md\0.png'))).toMatch(/is not a usable file name/);
  });

  it('refuses a FIFO at once instead of blocking on it', () => {
    const { dir } = layout();
    execFileSync('mkfifo', [path.join(dir, 'verify.sh')]);
    const t0 = Date.now();
    expect(message(() => new ContentFiles(dir).readText('verify.sh', 'script'))).toBe('"verify.sh" is not a regular file');
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('caps one file, one script and all text of a content, naming file, size and cap', () => {
    const { dir } = layout({ 'big.md': 'x'.repeat(3000), 'a.md': 'x'.repeat(600), 'b.md': 'x'.repeat(600), 's.sh': 'y'.repeat(200) });
    const files = new ContentFiles(dir, { limits: small({ textBytes: 2048, scriptBytes: 100, totalTextBytes: 1000 }) });
    expect(message(() => files.readText('big.md'))).toBe('"big.md" is 2.9 KiB, more than the 2 KiB a markdown or JSON file may have');
    expect(message(() => files.readText('s.sh', 'script'))).toBe('"s.sh" is 200 bytes, more than the 100 bytes a script may have');
    expect(files.readText('a.md')).toHaveLength(600);
    expect(message(() => files.readText('b.md'))).toBe(
      `"b.md" brings the content's markdown and scripts to 1.2 KiB, more than the 1000 bytes one content may have`,
    );
  });

  it('caps one asset and all assets of a content', () => {
    const { dir } = layout({ '__static__/a.png': 'x'.repeat(500), '__static__/b.png': 'x'.repeat(500), '__static__/huge.png': 'x'.repeat(5000) });
    const files = new ContentFiles(dir, { limits: small({ assetBytes: 4096, totalAssetBytes: 800 }) });
    expect(message(() => files.checkAsset('__static__/huge.png'))).toBe('"__static__/huge.png" is 4.9 KiB, more than the 4 KiB an image or asset may have');
    expect(files.checkAsset('__static__/a.png')).toBe('__static__/a.png');
    expect(files.checkAsset('./__static__/a.png')).toBe('__static__/a.png'); // counted once
    expect(message(() => files.checkAsset('__static__/b.png'))).toMatch(/brings the content's images and assets to 1000 bytes, more than the 800 bytes/);
    expect(files.assets()).toEqual(['__static__/a.png']);
  });

  it('lets images and assets come from the asset root above, never beyond it', () => {
    const { root, dir, secret } = layout({ 'step.md': 'x' });
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(path.join(root, 'assets', 'logo.png'), 'png');
    const files = new ContentFiles(dir, { assetRoot: root, folderName: 'scenario folder' });
    expect(files.checkAsset('../assets/logo.png')).toBe('../assets/logo.png');
    expect(files.readAsset('../assets/logo.png').toString()).toBe('png');
    expect(message(() => files.checkAsset('../../etc/passwd'))).toMatch(/points outside the scenario folder's repository/);
    // Text never leaves the scenario folder, even within the repository.
    expect(message(() => files.readText('../outside/secret.txt'))).toBe('"../outside/secret.txt" points outside the scenario folder');
    fs.symlinkSync('/etc/passwd', path.join(root, 'assets', 'passwd.png'));
    expect(message(() => files.checkAsset('../assets/passwd.png'))).toMatch(/passes through a symbolic link|symbolic link to something outside/);
    fs.symlinkSync(secret, path.join(dir, 'shared.png'));
    expect(files.checkAsset('shared.png')).toBe('shared.png'); // outside/ is inside the repository root
  });
});
