import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@paved/model';
import { afterEach, describe, expect, it } from 'vitest';
import { openKeyring, type OpenKeyringOptions } from './keyring.js';
import { masterKeyId } from './master-key.js';

/** The newest key of the keyring the options open, and whether the file was created. */
function loadMasterKey(options: OpenKeyringOptions) {
  const { source, created } = openKeyring(options);
  return { ...source.keys().at(-1)!, created };
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paved-key-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function rejected(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('loadMasterKey from PAVED_MASTER_KEY', () => {
  const key = randomBytes(32);
  const keyFile = '/nonexistent/never-created.key';

  it.each([
    ['base64', key.toString('base64')],
    ['base64 without padding', key.toString('base64').replace(/=+$/, '')],
    ['base64url', key.toString('base64url')],
    ['hex', key.toString('hex')],
    ['upper-case hex with a newline', `${key.toString('hex').toUpperCase()}\n`],
  ])('accepts %s and creates no file', (_, envValue) => {
    const loaded = loadMasterKey({ envValue, keyFile });
    expect(loaded.key.equals(key)).toBe(true);
    expect(loaded.id).toBe(masterKeyId(key));
    expect(loaded.id).toMatch(/^[0-9a-f]{8}$/);
    expect(loaded.created).toBe(false);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64'), /decodes to 16 bytes, not 32/],
    ['too long hex', randomBytes(33).toString('hex'), /decodes to 49 bytes, not 32/],
    ['a passphrase', 'correct horse battery staple!', /29 characters that are neither hex nor base64/],
  ])('rejects %s without echoing it', (_, envValue, reason) => {
    const error = rejected(() => loadMasterKey({ envValue, keyFile }));
    expect(error.code).toBe('master_key_invalid');
    expect(error.message).toMatch(reason);
    expect(error.message).toMatch(/^PAVED_MASTER_KEY must be 32 bytes encoded as base64 .* openssl rand -base64 32$/);
    expect(error.issues[0]!.path).toBe('PAVED_MASTER_KEY');
    expect(error.message).not.toContain(envValue);
    expect(JSON.stringify(error.issues)).not.toContain(envValue);
  });
});

describe('loadMasterKey from a key file', () => {
  it('creates a 0600 file with a random key at first start, then reuses it', () => {
    const keyFile = join(tempDir(), 'data', 'master.key');
    const first = loadMasterKey({ keyFile });
    expect(first.created).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64').equals(first.key)).toBe(true);
    // No temporary file is left behind.
    expect(readdirSync(join(keyFile, '..'))).toEqual(['master.key']);

    const second = loadMasterKey({ keyFile });
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
    expect(second.id).toBe(first.id);

    const other = loadMasterKey({ keyFile: join(tempDir(), 'master.key') });
    expect(other.key.equals(first.key)).toBe(false);
  });

  it('prefers PAVED_MASTER_KEY over the file', () => {
    const keyFile = join(tempDir(), 'master.key');
    const fromFile = loadMasterKey({ keyFile });
    const env = randomBytes(32);
    expect(loadMasterKey({ keyFile, envValue: env.toString('hex') }).key.equals(env)).toBe(true);
    expect(loadMasterKey({ keyFile, envValue: '' }).key.equals(fromFile.key)).toBe(true);
  });

  it.skipIf(process.platform === 'win32' || process.getuid?.() === undefined)('refuses a file readable by group or others, and says how to fix it', () => {
    const keyFile = join(tempDir(), 'master.key');
    const key = randomBytes(32).toString('base64');
    writeFileSync(keyFile, key, { mode: 0o644 });
    chmodSync(keyFile, 0o644);
    const error = rejected(() => loadMasterKey({ keyFile }));
    expect(error.code).toBe('master_key_file_insecure');
    expect(error.message).toBe(`The master key file ${keyFile} is readable or writable by group or others (mode 0644); run: chmod 600 ${keyFile}`);
    chmodSync(keyFile, 0o600);
    expect(loadMasterKey({ keyFile }).key.toString('base64')).toBe(key);
  });

  it('rejects a corrupt file without echoing it', () => {
    const keyFile = join(tempDir(), 'master.key');
    writeFileSync(keyFile, 'not-a-key!!', { mode: 0o600 });
    const error = rejected(() => loadMasterKey({ keyFile }));
    expect(error.code).toBe('master_key_invalid');
    expect(error.message).toContain(`The master key file ${keyFile} must hold 32 bytes`);
    expect(error.message).not.toContain('not-a-key');
  });
});
