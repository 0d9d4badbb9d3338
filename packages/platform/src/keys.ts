import { existsSync } from 'node:fs';
import { InputError } from '@paved/model';
import { createStore, type Store } from '@paved/store';
import { openKeyring, registerKeyring, rotateMasterKey, type RotationReport } from '@paved/secrets';
import type { PavedConfig } from './config.js';

/**
 * `paved keys …`: run on a server's machine with its configuration (the same PAVED_* variables),
 * while the servers keep running. They open the store themselves, like another server process.
 */

async function withStore<T>(config: PavedConfig, fn: (store: Store) => Promise<T>): Promise<T> {
  requireStore(config);
  const store = await createStore({ url: config.databaseUrl });
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

function keyringOf(config: PavedConfig) {
  return openKeyring({ envValue: config.masterKey, keyFile: config.masterKeyFile }).source;
}

/**
 * Run without the servers' settings, `paved keys` would find no SQLite store in the default data
 * folder and make one, with a new master key, then report that key as active: a status that
 * writes, and a key that seals nothing. It refuses instead, before the keyring is opened (a
 * missing key file would be created). A PostgreSQL store is the servers' own, checked by opening it.
 */
function requireStore(config: PavedConfig): void {
  if (/^postgres(ql)?:\/\//i.test(config.databaseUrl) || existsSync(config.databaseUrl)) return;
  throw new InputError(`there is no Paved store at ${config.databaseUrl}: run this where the servers run, with their PAVED_* settings (PAVED_DATA_DIR, or PAVED_DATABASE_URL and the master key)`, {
    code: 'keys_no_store', issues: [{ path: 'PAVED_DATA_DIR', message: 'holds no Paved store' }],
  });
}

/** `paved keys rotate`: a new master key, every data key re-wrapped under it (see rotateMasterKey). */
export async function rotateKeys(config: PavedConfig, onProgress?: (line: string) => void): Promise<RotationReport> {
  return withStore(config, (store) => rotateMasterKey({ store, keyring: keyringOf(config), ...(onProgress ? { onProgress } : {}) }));
}

export interface KeysStatus {
  /** Where this process's keyring comes from. */
  source: 'PAVED_MASTER_KEY' | 'key file';
  keyFile?: string;
  /** The keys this process holds, oldest first. */
  held: { version: number; id: string }[];
  /** The key that seals new secrets. */
  active: { version: number; id: string; activatedAt: string };
  /** How many secrets each key seals. */
  secrets: { id: string; version?: number; count: number }[];
}

/** `paved keys status`: which key seals new secrets, which keys are held, how many secrets each seals. */
export async function keysStatus(config: PavedConfig): Promise<KeysStatus> {
  requireStore(config);
  const keyring = keyringOf(config);
  return withStore(config, async (store) => {
    const active = await registerKeyring(store, keyring);
    const held = keyring.keys().map((key) => ({ version: key.version, id: key.id }));
    const counts = await store.countSecretsByKey();
    return {
      source: keyring.kind === 'file' ? 'key file' : 'PAVED_MASTER_KEY',
      ...(keyring.keyFile === undefined ? {} : { keyFile: keyring.keyFile }),
      held,
      active: { version: active.version, id: active.keyId, activatedAt: active.activatedAt },
      secrets: Object.entries(counts).map(([id, count]) => {
        const version = held.find((key) => key.id === id)?.version;
        return { id, ...(version === undefined ? {} : { version }), count };
      }),
    };
  });
}
