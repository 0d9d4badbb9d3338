import { describe, expect, it } from 'vitest';
import { identifiedClause, storedCredential } from './auth.js';
import { ed25519PublicKey } from './ed25519.js';

describe('identifiedClause', () => {
  it('quotes the stored value it is given (derived once by the caller), never the password', () => {
    const password = 'p4ss-word';
    const stored = storedCredential('ed25519', password);
    expect(stored).toBe(ed25519PublicKey(password));
    expect(identifiedClause('ed25519', stored)).toBe(`IDENTIFIED VIA ed25519 USING '${stored}'`);
    const native = storedCredential('mysql_native_password', password);
    expect(identifiedClause('mysql_native_password', native)).toBe(`IDENTIFIED BY PASSWORD '${native}'`);
    expect(identifiedClause('ed25519', stored)).not.toContain(password);
  });
});
