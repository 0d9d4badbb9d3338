import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '@paved/model';

export const MASTER_KEY_BYTES = 32;

/** The master key that wraps every data key, and its id (recorded in each envelope). */
export interface MasterKey {
  key: Buffer;
  /** First 8 hex of sha256(key): names the key without revealing it (each envelope records it). */
  id: string;
}

export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

const hexRe = /^[0-9a-fA-F]+$/;
const base64Re = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Decodes 32 bytes given as hex (64 characters) or base64 / base64url (43–44 characters).
 * Returns a reason instead of throwing so callers can say where the value came from. A reason
 * never contains the value, only its length: the value is the key.
 */
export function decodeMasterKey(text: string): { key: Buffer } | { problem: string } {
  const value = text.trim();
  if (value.length === MASTER_KEY_BYTES * 2 && hexRe.test(value)) return { key: Buffer.from(value, 'hex') };
  if (base64Re.test(value)) {
    const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === MASTER_KEY_BYTES) return { key };
    return { problem: `it decodes to ${key.length} bytes, not ${MASTER_KEY_BYTES}` };
  }
  return { problem: `it is ${value.length} characters that are neither hex nor base64` };
}

/**
 * A key file readable by others is refused, not merely warned about: every credential Paved
 * hands out is one read of this file away, and a warning in a start-up log is easy to miss.
 * The fix is one command, which the message gives.
 */
export function checkKeyFileMode(keyFile: string): void {
  if (process.platform === 'win32') return; // POSIX modes mean nothing there.
  const mode = statSync(keyFile).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    const message = `is readable or writable by group or others (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${keyFile}`;
    throw new InputError(`The master key file ${keyFile} ${message}`, { code: 'master_key_file_insecure', issues: [{ path: 'keyFile', message }] });
  }
}

/**
 * Creates the key file if it does not exist; false when it already did. Two processes may
 * start at once on a fresh data folder, and both must end up with the same key. So the key
 * is written in full to a private temporary file (0600, `wx`) and then hard-linked to its
 * name: link() fails with EEXIST instead of replacing, unlike rename(), so exactly one
 * process wins and the other reads the winner's key. Readers never see a half-written file.
 */
export function createKeyFile(keyFile: string): boolean {
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
  const temp = `${keyFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, `${randomBytes(MASTER_KEY_BYTES).toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, keyFile);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Some filesystems (FAT, a few network and container mounts) have no hard links.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EXDEV') return createKeyFileInPlace(keyFile, readFileSync(temp, 'utf8'));
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

/**
 * Fallback without hard links: `wx` still makes exactly one process the creator, but another
 * may read the file before it is written, so a reader of an empty file waits briefly (below).
 */
function createKeyFileInPlace(keyFile: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(keyFile, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

export function readKeyFile(keyFile: string): string {
  for (let attempt = 0; ; attempt++) {
    const text = readFileSync(keyFile, 'utf8');
    if (text.trim() !== '' || attempt >= 20) return text;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}
