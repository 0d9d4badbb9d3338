import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nextKey, openKeyring, writeKeyringFile } from './keyring.js';
import { masterKeyId } from './master-key.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paved-keyring-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const keyFile = '/nonexistent/never-created.key';

describe('keyrings in PAVED_MASTER_KEY', () => {
  it('reads versioned entries separated by commas or spaces, oldest first', () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    for (const envValue of [`v2:${b.toString('base64')},v1:${a.toString('hex')}`, ` v1:${a.toString('base64url')}\n v2:${b.toString('base64')} `]) {
      const keys = openKeyring({ envValue, keyFile }).source.keys();
      expect(keys.map((k) => [k.version, k.id])).toEqual([[1, masterKeyId(a)], [2, masterKeyId(b)]]);
      expect(keys[1]!.key.equals(b)).toBe(true);
    }
  });

  it.each([
    ['an entry without a version', (k: string) => `v1:${k},${k}`, /entry 2 does not start with v<number>:/],
    ['a bad key', () => `v1:${randomBytes(16).toString('base64')}`, /entry v1 must be 32 bytes as base64 or hex, but it decodes to 16 bytes/],
    ['a version twice', (k: string) => `v1:${k},v1:${randomBytes(32).toString('base64')}`, /names v1 twice/],
    ['a key twice', (k: string) => `v1:${k},v2:${k}`, /holds the key of v2 twice \(as v1 too\)/],
  ])('refuses %s without echoing a key', (_, make, reason) => {
    const key = randomBytes(32).toString('base64');
    const envValue = make(key);
    try {
      openKeyring({ envValue, keyFile });
      throw new Error('expected a refusal');
    } catch (error) {
      expect((error as { code?: string }).code).toBe('master_key_invalid');
      expect((error as Error).message).toMatch(reason);
      expect((error as Error).message).toMatch(/^PAVED_MASTER_KEY /);
      expect((error as Error).message).not.toContain(key);
    }
  });
});

describe('the keyring file', () => {
  it('is replaced atomically, the previous file kept as the backup, and re-read by reload()', () => {
    const file = join(tempDir(), 'master.key');
    const { source } = openKeyring({ keyFile: file });
    const first = source.keys()[0]!;
    expect(first.version).toBe(1);
    const second = nextKey(source.keys());
    expect(second.version).toBe(2);

    writeKeyringFile(file, [first, second], `${file}.before-v2`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(`${file}.before-v2`).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toContain(`v2:${second.key.toString('base64')}`);
    expect(openKeyring({ keyFile: `${file}.before-v2` }).source.keys().map((k) => k.id)).toEqual([first.id]);
    // A second write keeps the first backup: it holds the keyring from before the rotation.
    writeKeyringFile(file, [second], `${file}.before-v2`);
    expect(openKeyring({ keyFile: `${file}.before-v2` }).source.keys().map((k) => k.id)).toEqual([first.id]);
    expect(readdirSync(join(file, '..')).sort()).toEqual(['master.key', 'master.key.before-v2']);

    expect(source.keys().map((k) => k.id)).toEqual([first.id]);
    expect(source.reload().map((k) => k.id)).toEqual([second.id]);
  });

  it('still reads a file of one bare key as v1 (as written before keyrings)', () => {
    const file = join(tempDir(), 'master.key');
    const key = randomBytes(32);
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600 });
    expect(openKeyring({ keyFile: file }).source.keys().map((k) => [k.version, k.id])).toEqual([[1, masterKeyId(key)]]);
  });
});
