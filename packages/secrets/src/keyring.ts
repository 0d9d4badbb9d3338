import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, constants, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '@paved/model';
import { checkKeyFileMode, createKeyFile, decodeMasterKey, MASTER_KEY_BYTES, masterKeyId, readKeyFile, type MasterKey } from './master-key.js';

/**
 * The master keyring: every master key that may have wrapped a stored data key, numbered
 * v1, v2, … (TRUST.md §4, as Vault's keyring). A rotation adds the next version and re-wraps
 * every data key under it; until it is done both versions open envelopes, since each envelope
 * names the key that wrapped its data key (its `kid`).
 *
 * Text form, in PAVED_MASTER_KEY or the key file: one key (version 1, as written before
 * rotation existed), or entries `v<n>:<key>` separated by commas, spaces or new lines; `#`
 * starts a comment line in the file.
 */
export interface VersionedKey extends MasterKey {
  version: number;
}

/** Where the keyring comes from, and a way to read it again: a rotation in another process rewrites the key file. */
export interface KeyringSource {
  readonly kind: 'env' | 'file';
  /** The key file, for kind 'file'. */
  readonly keyFile?: string;
  /** The keys as last read, oldest first. */
  keys(): readonly VersionedKey[];
  /** Reads the keys again (the environment does not change: the same keys). */
  reload(): readonly VersionedKey[];
}

export interface OpenKeyringOptions {
  /** PAVED_MASTER_KEY as read by the configuration; wins over the file when set. */
  envValue?: string;
  /** Where the keyring lives when PAVED_MASTER_KEY is unset; created with one key at first start. */
  keyFile: string;
}

const HOW_TO_MAKE = 'generate one with: openssl rand -base64 32';
const ENTRY = /^v([1-9][0-9]{0,5}):(.*)$/s;
const HAS_ENTRIES = /(^|[\s,])v[0-9]+:/;

interface Origin {
  /** How messages name the place: `PAVED_MASTER_KEY`, `The master key file /x/master.key`. */
  name: string;
  /** The issue path. */
  path: string;
  /** What a bad single key should be, and what to do. */
  single(problem: string): string;
}

const ENV_ORIGIN: Origin = {
  name: 'PAVED_MASTER_KEY',
  path: 'PAVED_MASTER_KEY',
  single: (problem) => `must be ${MASTER_KEY_BYTES} bytes encoded as base64 (44 characters) or hex (64 characters), but ${problem}; ${HOW_TO_MAKE}`,
};

function fileOrigin(keyFile: string): Origin {
  return {
    name: `The master key file ${keyFile}`,
    path: 'keyFile',
    single: (problem) => `must hold ${MASTER_KEY_BYTES} bytes as base64 or hex, but ${problem}; restore it from a backup (secrets sealed with the old key cannot be opened without it)`,
  };
}

function invalid(origin: Origin, message: string): InputError {
  return new InputError(`${origin.name} ${message}`, { code: 'master_key_invalid', issues: [{ path: origin.path, message }] });
}

/** Parses a keyring's text; messages name the entry's version or position, never a key. */
function parseKeyring(text: string, origin: Origin): VersionedKey[] {
  const body = text.split('\n').filter((line) => !line.trim().startsWith('#')).join('\n');
  if (!HAS_ENTRIES.test(body)) {
    const decoded = decodeMasterKey(body);
    if ('problem' in decoded) throw invalid(origin, origin.single(decoded.problem));
    return [{ key: decoded.key, id: masterKeyId(decoded.key), version: 1 }];
  }
  const keys: VersionedKey[] = [];
  body.split(/[\s,]+/).filter((token) => token !== '').forEach((token, index) => {
    const entry = ENTRY.exec(token);
    if (entry === null) throw invalid(origin, `must hold one key, or entries written as v1:KEY,v2:KEY; entry ${index + 1} does not start with v<number>:`);
    const version = Number(entry[1]);
    const decoded = decodeMasterKey(entry[2]!);
    if ('problem' in decoded) throw invalid(origin, `entry v${version} must be ${MASTER_KEY_BYTES} bytes as base64 or hex, but ${decoded.problem}; ${HOW_TO_MAKE}`);
    if (keys.some((key) => key.version === version)) throw invalid(origin, `names v${version} twice`);
    const id = masterKeyId(decoded.key);
    if (keys.some((key) => key.id === id)) throw invalid(origin, `holds the key of v${version} twice (as v${keys.find((key) => key.id === id)!.version} too)`);
    keys.push({ key: decoded.key, id, version });
  });
  return keys.sort((a, b) => a.version - b.version);
}

/** The keyring file's text: a header that says what it is, then one `v<n>:<base64>` per line. */
export function formatKeyring(keys: readonly VersionedKey[]): string {
  const lines = [...keys].sort((a, b) => a.version - b.version).map((key) => `v${key.version}:${key.key.toString('base64')}`);
  return [
    '# Paved master keyring, written by `paved keys rotate`: every key a stored secret may be sealed with,',
    '# oldest first. Keep a copy apart from the data: without these keys no secret can be read.',
    ...lines,
    '',
  ].join('\n');
}

function readFileKeyring(keyFile: string): VersionedKey[] {
  checkKeyFileMode(keyFile);
  return parseKeyring(readKeyFile(keyFile), fileOrigin(keyFile));
}

/** A keyring that never changes (PAVED_MASTER_KEY, or a test's key). */
export function fixedKeyring(keys: readonly VersionedKey[]): KeyringSource {
  const frozen = Object.freeze([...keys]);
  return { kind: 'env', keys: () => frozen, reload: () => frozen };
}

/**
 * Opens the keyring: from PAVED_MASTER_KEY when given, otherwise from `keyFile`, created with
 * one random key (mode 0600) at first start. Throws InputError with a message that says what to
 * do and never contains a key.
 */
export function openKeyring(options: OpenKeyringOptions): { source: KeyringSource; created: boolean } {
  if (options.envValue !== undefined && options.envValue.trim() !== '') {
    return { source: fixedKeyring(parseKeyring(options.envValue, ENV_ORIGIN)), created: false };
  }
  const { keyFile } = options;
  let created = false;
  try {
    statSync(keyFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    created = createKeyFile(keyFile);
  }
  let keys = readFileKeyring(keyFile);
  const source: KeyringSource = {
    kind: 'file',
    keyFile,
    keys: () => keys,
    reload: () => (keys = readFileKeyring(keyFile)),
  };
  return { source, created };
}

/** A new random key, numbered after every key in `keys`. */
export function nextKey(keys: readonly VersionedKey[]): VersionedKey {
  const key = randomBytes(MASTER_KEY_BYTES);
  return { key, id: masterKeyId(key), version: Math.max(0, ...keys.map((k) => k.version)) + 1 };
}

/**
 * Replaces the key file with `keys`, atomically: written in full to a private temporary file
 * (0600) beside it, flushed, then renamed over it, so a reader sees the old keyring or the new
 * one, never a part. `backup`, when given, first receives a copy of the current file (kept if
 * it exists already: it holds the keys from before the rotation that wrote it first).
 */
export function writeKeyringFile(keyFile: string, keys: readonly VersionedKey[], backup?: string): void {
  if (backup !== undefined) {
    try {
      copyFileSync(keyFile, backup, constants.COPYFILE_EXCL);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const temp = `${keyFile}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, formatKeyring(keys));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, keyFile);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
  // The rename itself must reach the disk before anything is sealed with the new key.
  const dir = openSync(dirname(keyFile), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
