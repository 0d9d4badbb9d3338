import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InputError, InternalError } from '@paved/model';
import type { MasterKey } from './master-key.js';

/**
 * Envelope encryption (docs/architecture.md#secrets). Each seal draws a fresh 256-bit data key that
 * encrypts the values with AES-256-GCM; the master key encrypts (wraps) the data key, also with
 * AES-256-GCM. The envelope records the master key's id, so a key rotation can re-wrap data
 * keys without touching the ciphertexts (`rewrapEnvelope`).
 *
 * Both encryptions authenticate `aad` (the owner id and secret name): an envelope copied into
 * another instance's row does not open. The wrapped key is bound to the same aad, so a data
 * key cannot be lifted from one envelope into another either.
 */
export interface SecretEnvelope {
  v: 1;
  /** Id of the master key that wrapped the data key. */
  kid: string;
  /** The data key encrypted by the master key (all base64). */
  wrappedKey: { iv: string; tag: string; ciphertext: string };
  iv: string;
  tag: string;
  /** JSON of the values, encrypted by the data key. */
  ciphertext: string;
}

export interface SecretBox {
  readonly keyId: string;
  /** JSON of a new SecretEnvelope: nothing in it reveals the values. */
  seal(values: Record<string, string>, aad: string): string;
  /** Throws InternalError (code secret_unreadable) when the envelope was altered, belongs to another aad or another master key. */
  open(envelope: string, aad: string): Record<string, string>;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
// Domain separation: the same aad never authenticates both a data key and a payload.
const WRAP_CONTEXT = 'paved/data-key/v1\u0000';
const DATA_CONTEXT = 'paved/values/v1\u0000';

function encrypt(key: Buffer, iv: Buffer, plaintext: Buffer, aad: string): { iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = cipher.update(plaintext);
  // GCM is a stream mode: final() adds no bytes, only computes the tag (no concat, no copy).
  if (cipher.final().length !== 0) throw new Error('AES-GCM returned bytes at final()');
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

function decrypt(key: Buffer, parts: { iv: Buffer; tag: Buffer; ciphertext: Buffer }, aad: string): Buffer {
  const decipher = createDecipheriv(ALGORITHM, key, parts.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(parts.tag);
  return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
}

/**
 * CSPRNG bytes drawn ahead for this many seals: each draw has a fixed cost (a job through
 * libuv's crypto binding, about as much as one AES-GCM operation), and the engine seals twice
 * a pass. The bytes are the same CSPRNG's; each seal takes a part never handed out before and
 * zeroes it once used, as it zeroed its own draw. Unused parts sit in this process's memory,
 * beside the master key, as Node's own randomUUID keeps its next ids.
 */
const SEALS_A_DRAW = 64;
const SEAL_RANDOM_BYTES = DATA_KEY_BYTES + 2 * IV_BYTES;
let drawn = Buffer.alloc(0);
let taken = 0;

/** A seal's data key and both IVs, from the bytes drawn ahead (a new draw when they are used up). */
function sealRandom(): Buffer {
  if (taken + SEAL_RANDOM_BYTES > drawn.length) {
    drawn = randomBytes(SEAL_RANDOM_BYTES * SEALS_A_DRAW);
    taken = 0;
  }
  const part = drawn.subarray(taken, taken + SEAL_RANDOM_BYTES);
  taken += SEAL_RANDOM_BYTES;
  return part;
}

class Unreadable extends Error {}

function base64Field(value: unknown, bytes?: number): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw new Unreadable('a field is not base64');
  const buffer = Buffer.from(value, 'base64');
  if (bytes !== undefined && buffer.length !== bytes) throw new Unreadable('a field has the wrong length');
  return buffer;
}

function parseEnvelope(text: string): SecretEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Unreadable('the envelope is not JSON');
  }
  const envelope = parsed as SecretEnvelope;
  if (typeof parsed !== 'object' || parsed === null || envelope.v !== 1 || typeof envelope.kid !== 'string' || typeof envelope.wrappedKey !== 'object' || envelope.wrappedKey === null) {
    throw new Unreadable('the envelope is not a version 1 envelope');
  }
  return envelope;
}

function assertValues(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    // Name only: the value may be a secret even when it has the wrong type.
    if (typeof value !== 'string') {
      throw new InputError(`secret value "${name}" must be a string`, { code: 'secret_values_invalid', issues: [{ path: name, message: 'must be a string' }] });
    }
  }
}

export function createSecretBox(master: MasterKey): SecretBox {
  if (master.key.length !== DATA_KEY_BYTES) throw new InputError(`the master key must be ${DATA_KEY_BYTES} bytes`, { code: 'master_key_invalid' });
  const masterKey = Buffer.from(master.key);

  return {
    keyId: master.id,

    seal(values, aad) {
      assertValues(values);
      // The data key and both IVs from bytes of the CSPRNG drawn ahead (sealRandom). The three never overlap.
      const random = sealRandom();
      const dataKey = random.subarray(0, DATA_KEY_BYTES);
      try {
        const wrapped = encrypt(masterKey, random.subarray(DATA_KEY_BYTES, DATA_KEY_BYTES + IV_BYTES), dataKey, `${WRAP_CONTEXT}${master.id}\u0000${aad}`);
        const sealed = encrypt(dataKey, random.subarray(DATA_KEY_BYTES + IV_BYTES), Buffer.from(JSON.stringify(values), 'utf8'), `${DATA_CONTEXT}${aad}`);
        const envelope: SecretEnvelope = {
          v: 1,
          kid: master.id,
          wrappedKey: { iv: wrapped.iv.toString('base64'), tag: wrapped.tag.toString('base64'), ciphertext: wrapped.ciphertext.toString('base64') },
          iv: sealed.iv.toString('base64'),
          tag: sealed.tag.toString('base64'),
          ciphertext: sealed.ciphertext.toString('base64'),
        };
        return JSON.stringify(envelope);
      } finally {
        random.fill(0);
      }
    },

    open(text, aad) {
      let wrongKey: string | undefined;
      try {
        const envelope = parseEnvelope(text);
        if (envelope.kid !== master.id) {
          wrongKey = envelope.kid;
          throw new Unreadable('wrong key');
        }
        const dataKey = decrypt(
          masterKey,
          { iv: base64Field(envelope.wrappedKey.iv, IV_BYTES), tag: base64Field(envelope.wrappedKey.tag, TAG_BYTES), ciphertext: base64Field(envelope.wrappedKey.ciphertext, DATA_KEY_BYTES) },
          `${WRAP_CONTEXT}${master.id}\u0000${aad}`,
        );
        try {
          const plaintext = decrypt(dataKey, { iv: base64Field(envelope.iv, IV_BYTES), tag: base64Field(envelope.tag, TAG_BYTES), ciphertext: base64Field(envelope.ciphertext) }, `${DATA_CONTEXT}${aad}`);
          return parseValues(plaintext);
        } finally {
          dataKey.fill(0);
        }
      } catch {
        // One message for every failed check: saying which one would tell a forger what to
        // change next. The cause is dropped on purpose: an error about decrypted bytes could
        // quote them. Key ids are not secret (8 hex of a hash) and help an operator who
        // started Paved with the wrong key.
        const why = wrongKey !== undefined
          ? `it was sealed with master key ${JSON.stringify(wrongKey.slice(0, 16))}, but the loaded master key is "${master.id}" (is PAVED_MASTER_KEY or the key file the one this data was written with?)`
          : 'it was altered, or it belongs to another owner or name';
        throw new InternalError(`A stored secret cannot be opened: ${why}.`, { code: 'secret_unreadable' });
      }
    },
  };
}

/** The id of the master key that wrapped an envelope's data key; undefined when the text is not an envelope. */
export function envelopeKeyId(text: string): string | undefined {
  try {
    return parseEnvelope(text).kid;
  } catch {
    return undefined;
  }
}

/**
 * The envelope with its data key re-wrapped from master key `from` to `to` (a rotation): only
 * `kid` and `wrappedKey` change; the values stay encrypted under the same data key, which is
 * never written anywhere. Throws InternalError (secret_unreadable) when `from` does not open it.
 */
export function rewrapEnvelope(text: string, aad: string, from: MasterKey, to: MasterKey): string {
  let envelope: SecretEnvelope;
  let dataKey: Buffer;
  try {
    envelope = parseEnvelope(text);
    if (envelope.kid !== from.id) throw new Unreadable('wrong key');
    dataKey = decrypt(
      from.key,
      { iv: base64Field(envelope.wrappedKey.iv, IV_BYTES), tag: base64Field(envelope.wrappedKey.tag, TAG_BYTES), ciphertext: base64Field(envelope.wrappedKey.ciphertext, DATA_KEY_BYTES) },
      `${WRAP_CONTEXT}${from.id}\u0000${aad}`,
    );
  } catch {
    throw new InternalError(`A stored secret cannot be re-wrapped: master key "${from.id}" does not open it (it was altered, or it belongs to another owner or name).`, { code: 'secret_unreadable' });
  }
  try {
    const wrapped = encrypt(to.key, randomBytes(IV_BYTES), dataKey, `${WRAP_CONTEXT}${to.id}\u0000${aad}`);
    const next: SecretEnvelope = {
      ...envelope,
      kid: to.id,
      wrappedKey: { iv: wrapped.iv.toString('base64'), tag: wrapped.tag.toString('base64'), ciphertext: wrapped.ciphertext.toString('base64') },
    };
    return JSON.stringify(next);
  } finally {
    dataKey.fill(0);
  }
}

function parseValues(plaintext: Buffer): Record<string, string> {
  const values = JSON.parse(plaintext.toString('utf8')) as unknown;
  if (typeof values !== 'object' || values === null || Array.isArray(values) || Object.values(values).some((v) => typeof v !== 'string')) {
    throw new Unreadable('the values are not a string map');
  }
  return values as Record<string, string>;
}
