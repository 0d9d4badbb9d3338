import { randomBytes } from 'node:crypto';
import { InternalError } from '@paved/model';
import { describe, expect, it } from 'vitest';
import { masterKeyId, type MasterKey } from './master-key.js';
import { createSecretBox, envelopeKeyId, rewrapEnvelope, type SecretEnvelope } from './secret-box.js';

function newMaster(): MasterKey {
  const key = randomBytes(32);
  return { key, id: masterKeyId(key) };
}

const values = { password: 'hunter2-very-secret', url: 'postgres://u:hunter2-very-secret@db/x' };
const aad = JSON.stringify(['instance-1', 'credentials']);

function unreadable(fn: () => unknown): InternalError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InternalError);
    const e = error as InternalError;
    expect(e.code).toBe('secret_unreadable');
    expect(e.message).not.toContain('hunter2');
    expect(e.cause).toBeUndefined();
    return e;
  }
  throw new Error('expected the envelope not to open');
}

describe('createSecretBox', () => {
  it('round-trips values, and the envelope reveals none of them', () => {
    const box = createSecretBox(newMaster());
    const sealed = box.seal(values, aad);
    expect(sealed).not.toContain('hunter2');
    expect(sealed).not.toContain('password');
    const envelope = JSON.parse(sealed) as SecretEnvelope;
    expect(Object.keys(envelope).sort()).toEqual(['ciphertext', 'iv', 'kid', 'tag', 'v', 'wrappedKey']);
    expect(envelope.v).toBe(1);
    expect(envelope.kid).toBe(box.keyId);
    expect(Buffer.from(envelope.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(envelope.wrappedKey.ciphertext, 'base64')).toHaveLength(32);
    expect(box.open(sealed, aad)).toEqual(values);
    expect(box.open(box.seal({}, aad), aad)).toEqual({});
  });

  it('uses a fresh data key and IVs for every seal', () => {
    const box = createSecretBox(newMaster());
    const a = JSON.parse(box.seal(values, aad)) as SecretEnvelope;
    const b = JSON.parse(box.seal(values, aad)) as SecretEnvelope;
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.iv).not.toBe(b.iv);
    expect(a.wrappedKey.iv).not.toBe(b.wrappedKey.iv);
    expect(a.wrappedKey.ciphertext).not.toBe(b.wrappedKey.ciphertext);
  });

  it.each(['iv', 'tag', 'ciphertext', 'wrappedKey.iv', 'wrappedKey.tag', 'wrappedKey.ciphertext'])('fails when %s is altered', (field) => {
    const box = createSecretBox(newMaster());
    const envelope = JSON.parse(box.seal(values, aad)) as Record<string, unknown> & { wrappedKey: Record<string, string> };
    const holder = (field.startsWith('wrappedKey.') ? envelope.wrappedKey : envelope) as Record<string, string>;
    const key = field.replace('wrappedKey.', '');
    const bytes = Buffer.from(holder[key]!, 'base64');
    bytes[bytes.length - 1]! ^= 0x01;
    holder[key] = bytes.toString('base64');
    expect(unreadable(() => box.open(JSON.stringify(envelope), aad)).message).toBe(
      'A stored secret cannot be opened: it was altered, or it belongs to another owner or name.',
    );
  });

  it('fails on a malformed envelope', () => {
    const box = createSecretBox(newMaster());
    unreadable(() => box.open('not json', aad));
    unreadable(() => box.open('{"v":2}', aad));
    const envelope = JSON.parse(box.seal(values, aad)) as Record<string, unknown>;
    delete envelope.tag;
    unreadable(() => box.open(JSON.stringify(envelope), aad));
  });

  it('fails with another master key, naming both key ids', () => {
    const sealed = createSecretBox(newMaster()).seal(values, aad);
    const other = newMaster();
    const error = unreadable(() => createSecretBox(other).open(sealed, aad));
    expect(error.message).toContain(`the loaded master key is "${other.id}"`);
    expect(error.message).toContain(`sealed with master key "${(JSON.parse(sealed) as SecretEnvelope).kid}"`);
    // Same id claimed, different key bytes: the wrapped key does not decrypt.
    const forged = { key: randomBytes(32), id: (JSON.parse(sealed) as SecretEnvelope).kid };
    unreadable(() => createSecretBox(forged).open(sealed, aad));
  });

  it('binds an envelope to its owner and name (aad)', () => {
    const box = createSecretBox(newMaster());
    const sealed = box.seal(values, aad);
    unreadable(() => box.open(sealed, JSON.stringify(['instance-2', 'credentials'])));
    unreadable(() => box.open(sealed, JSON.stringify(['instance-1', 'other'])));
    // Swapping the data key between two envelopes fails too.
    const a = JSON.parse(sealed) as SecretEnvelope;
    const otherAad = JSON.stringify(['instance-2', 'credentials']);
    const b = JSON.parse(box.seal(values, otherAad)) as SecretEnvelope;
    unreadable(() => box.open(JSON.stringify({ ...b, wrappedKey: a.wrappedKey }), otherAad));
  });

  it('refuses a value that is not a string, naming only the field', () => {
    const box = createSecretBox(newMaster());
    expect(() => box.seal({ password: 42 as unknown as string }, aad)).toThrow('secret value "password" must be a string');
  });

  it('re-wraps only the data key: the values stay as they were encrypted, and only the new key opens it', () => {
    const [from, to] = [newMaster(), newMaster()];
    const sealed = createSecretBox(from).seal(values, aad);
    const rewrapped = rewrapEnvelope(sealed, aad, from, to);
    const before = JSON.parse(sealed) as SecretEnvelope;
    const after = JSON.parse(rewrapped) as SecretEnvelope;
    expect(envelopeKeyId(rewrapped)).toBe(to.id);
    expect({ ...after, kid: '', wrappedKey: null }).toEqual({ ...before, kid: '', wrappedKey: null });
    expect(after.wrappedKey).not.toEqual(before.wrappedKey);
    expect(createSecretBox(to).open(rewrapped, aad)).toEqual(values);
    unreadable(() => createSecretBox(from).open(rewrapped, aad));
    // Not the key it was sealed with, or another owner's aad: refused, naming no value.
    expect(() => rewrapEnvelope(sealed, aad, to, from)).toThrow(/cannot be re-wrapped/);
    expect(() => rewrapEnvelope(sealed, JSON.stringify(['instance-2', 'credentials']), from, to)).toThrow(/cannot be re-wrapped/);
    expect(envelopeKeyId('not json')).toBeUndefined();
  });
});
