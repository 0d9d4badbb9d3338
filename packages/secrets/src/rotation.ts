import { ConflictError, InputError, UnavailableError } from '@paved/model';
import type { ActiveMasterKey, SecretEnvelopeRow, Store } from '@paved/store';
import { nextKey, writeKeyringFile, type KeyringSource, type VersionedKey } from './keyring.js';
import { envelopeKeyId, rewrapEnvelope } from './secret-box.js';
import { aadFor, missingKeyAdvice } from './secret-store.js';

type KeyStore = Pick<Store, 'activeMasterKey' | 'activateMasterKey' | 'countSecretsByKey' | 'secretsNotSealedWith' | 'rewrapSecret' | 'getSecret'>;

const PAGE = 200;

function missing(keyId: string, what: string, keyring: KeyringSource): UnavailableError {
  return new UnavailableError(`${what} sealed with master key "${keyId}", which this process does not hold: ${missingKeyAdvice(keyring)}.`, { code: 'master_key_missing' });
}

/**
 * Checked at every start: this process holds every key the stored secrets need and the key
 * that seals new ones; the first start records its newest key as that one. Refusing here says
 * what is wrong at once, instead of at the first secret someone reads.
 */
export async function registerKeyring(store: KeyStore, keyring: KeyringSource): Promise<ActiveMasterKey> {
  const held = new Set(keyring.keys().map((key) => key.id));
  for (const [keyId, count] of Object.entries(await store.countSecretsByKey())) {
    if (keyId !== '' && !held.has(keyId)) throw missing(keyId, `${count} stored secret${count === 1 ? ' is' : 's are'}`, keyring);
  }
  let active = await store.activeMasterKey();
  if (active === undefined) {
    const newest = keyring.keys().at(-1)!;
    // Lost to another process starting at the same time: theirs is read below.
    await store.activateMasterKey({ keyId: newest.id, version: newest.version }, undefined);
    active = (await store.activeMasterKey())!;
  }
  if (!held.has(active.keyId)) throw missing(active.keyId, `New secrets are`, keyring);
  return active;
}

export interface RotationReport {
  /** The key every secret is sealed with now. */
  key: { version: number; id: string };
  /** Keys it replaced (versions), oldest first. */
  replaced: number[];
  rewrapped: number;
  /** Key file mode: the file now holding only the new key, and the copy of the keyring before. */
  keyFile?: string;
  backup?: string;
}

/**
 * `paved keys rotate`: makes a newer master key the active one and re-wraps every data key
 * under it, while servers keep running.
 *
 * 1. The new key: the key file gets v<n+1> beside the current keys (written atomically, the old
 *    file copied to `<file>.before-v<n+1>` first); with PAVED_MASTER_KEY it must already hold a
 *    newer entry, which every server needs before this runs.
 * 2. The store switches the active key. From then on it refuses secret writes under the old one
 *    (servers re-read the active key and the key file, and seal again), so nothing written
 *    during the rotation stays under a retired key.
 * 3. Every envelope under another key is re-wrapped (only its data key's wrapping changes), each
 *    replaced only if unchanged since it was read.
 * 4. Key file mode: the file keeps only the new key.
 *
 * Interrupted, it resumes: a newer key already in the keyring is used, not another one made;
 * an active key with secrets still under older keys is finished before any new rotation.
 */
export async function rotateMasterKey(options: { store: KeyStore; keyring: KeyringSource; onProgress?: (line: string) => void }): Promise<RotationReport> {
  const { store, keyring } = options;
  const progress = options.onProgress ?? (() => {});
  const active = await registerKeyring(store, keyring);
  const keys = keyring.reload();
  const current = keys.find((key) => key.id === active.keyId)!;
  const unfinished = (await store.secretsNotSealedWith(active.keyId, { limit: 1 })).length > 0;
  let target = keys.filter((key) => key.version > current.version).at(-1) ?? (unfinished ? current : undefined);
  let backup: string | undefined;

  if (target === undefined) {
    if (keyring.kind !== 'file') {
      const message =
        `PAVED_MASTER_KEY holds no key newer than the active v${current.version}. Generate one (openssl rand -base64 32), ` +
        `set PAVED_MASTER_KEY="v${current.version}:<current key>,v${current.version + 1}:<new key>" on every Paved process and restart them, then run paved keys rotate again`;
      throw new InputError(message, { code: 'master_key_rotation_needs_key', issues: [{ path: 'PAVED_MASTER_KEY', message: `needs an entry v${current.version + 1}` }] });
    }
    target = nextKey(keys);
    backup = `${keyring.keyFile!}.before-v${target.version}`;
    writeKeyringFile(keyring.keyFile!, [...keys, target], backup);
    keyring.reload();
    progress(`added master key v${target.version} (${target.id}) to ${keyring.keyFile}; the keyring before is saved as ${backup}`);
  }

  if (target.id !== active.keyId) {
    if (!(await store.activateMasterKey({ keyId: target.id, version: target.version }, active.keyId))) {
      throw new ConflictError('Another process changed the active master key during this rotation; run paved keys status, then paved keys rotate again.', { code: 'master_key_rotation_conflict' });
    }
    progress(`new secrets are now sealed with master key v${target.version}`);
  } else {
    progress(`resuming the re-wrap under master key v${target.version}`);
  }

  const replaced = keyring.keys().filter((key) => key.id !== target!.id).map((key) => key.version);
  const rewrapped = await rewrapAll(store, keyring, target, progress);
  if (keyring.kind === 'file') {
    writeKeyringFile(keyring.keyFile!, [target]);
    keyring.reload();
    progress(`${keyring.keyFile} now holds master key v${target.version} only`);
  }
  return {
    key: { version: target.version, id: target.id },
    replaced,
    rewrapped,
    ...(keyring.kind === 'file' ? { keyFile: keyring.keyFile! } : {}),
    ...(backup === undefined ? {} : { backup }),
  };
}

async function rewrapAll(store: KeyStore, keyring: KeyringSource, target: VersionedKey, progress: (line: string) => void): Promise<number> {
  const counts = await store.countSecretsByKey();
  const total = Object.entries(counts).reduce((sum, [keyId, count]) => (keyId === target.id ? sum : sum + count), 0);
  progress(`re-wrapping ${total} secret${total === 1 ? '' : 's'} under master key v${target.version}`);
  let done = 0;
  let reported = 0;
  let after: { ownerId: string; name: string } | undefined;
  for (;;) {
    const rows = await store.secretsNotSealedWith(target.id, { ...(after === undefined ? {} : { after }), limit: PAGE });
    for (const row of rows) if (await rewrapOne(store, keyring, target, row)) done++;
    if (done - reported >= 1000) {
      progress(`re-wrapped ${done} of ${total}`);
      reported = done;
    }
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1]!;
    after = { ownerId: last.ownerId, name: last.name };
  }
  // The store refused every write under the old key since the switch, so nothing can be left;
  // a leftover here would be a bug, and a rotation that says "done" must be true.
  const left = (await store.secretsNotSealedWith(target.id, { limit: 1 })).length;
  if (left > 0) throw new UnavailableError('Secrets under an older master key remain after the re-wrap; run paved keys rotate again.', { code: 'master_key_rotation_incomplete' });
  progress(`re-wrapped ${done} secret${done === 1 ? '' : 's'}`);
  return done;
}

/** Re-wraps one secret; false when it needed none (already under `target`, or gone). */
async function rewrapOne(store: KeyStore, keyring: KeyringSource, target: VersionedKey, row: SecretEnvelopeRow): Promise<boolean> {
  let current: SecretEnvelopeRow | undefined = row;
  while (current !== undefined && current.keyId !== target.id) {
    const kid = envelopeKeyId(current.envelope) ?? current.keyId;
    const from = keyring.keys().find((key) => key.id === kid);
    if (from === undefined) throw missing(kid, `The secret "${current.name}" of owner ${current.ownerId} is`, keyring);
    const envelope = rewrapEnvelope(current.envelope, aadFor(current.ownerId, current.name), from, target);
    const outcome = await store.rewrapSecret({ ownerId: current.ownerId, name: current.name, keyId: target.id, envelope }, current.envelope);
    if (outcome === true) return true;
    if (outcome === 'stale-key') {
      throw new ConflictError('Another process changed the active master key during this rotation; run paved keys status, then paved keys rotate again.', { code: 'master_key_rotation_conflict' });
    }
    // Written or deleted since it was listed: look at it again.
    current = await store.getSecret(current.ownerId, current.name);
  }
  return false;
}
