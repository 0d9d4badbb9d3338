import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ed25519PublicKey, ed25519Signature } from './ed25519.js';

const require = createRequire(import.meta.url);
// The client plugin applications are told to use (products/mysql.md): a port of MariaDB's own.
const mariadbPlugin = (require('@coresql/mysql2-auth-ed25519') as { default: () => (meta: unknown) => (data: Buffer) => Buffer }).default;
const theirSignature = (password: string, challenge: Buffer) => Buffer.from(mariadbPlugin()({ connection: { config: { password } } })(challenge));

describe('MariaDB ed25519', () => {
  it('signs a challenge byte for byte as MariaDB’s client plugin does', () => {
    for (const password of ['x', 'pässwörd', randomBytes(24).toString('hex'), randomBytes(100).toString('hex')]) {
      const challenge = randomBytes(32);
      expect(ed25519Signature(password, challenge).toString('hex')).toBe(theirSignature(password, challenge).toString('hex'));
    }
  });

  it('makes signatures that verify, as RFC 8032 Ed25519, under the public key the server stores', () => {
    const password = randomBytes(24).toString('hex');
    const challenge = randomBytes(32);
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(ed25519PublicKey(password), 'base64').toString('base64url') }, format: 'jwk' });
    expect(verify(null, challenge, key, ed25519Signature(password, challenge))).toBe(true);
    expect(verify(null, challenge, key, ed25519Signature(`${password}x`, challenge))).toBe(false);
  });
});
