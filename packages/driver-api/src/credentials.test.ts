import { describe, expect, it } from 'vitest';
import { DriverError } from '@paved/model';
import { credentialName, isCredentialName, requireSecret } from './index.js';

describe('credential names', () => {
  it('names credential 0 after the resource and later ones _r<n>', () => {
    expect(credentialName('pv_a_12345678')).toBe('pv_a_12345678');
    expect(credentialName('pv_a_12345678', 3)).toBe('pv_a_12345678_r3');
  });

  it('recognises every rotation of a resource and nothing else', () => {
    expect(isCredentialName('pv_a_12345678', 'pv_a_12345678')).toBe(true);
    expect(isCredentialName('pv_a_12345678', 'pv_a_12345678_r12')).toBe(true);
    expect(isCredentialName('pv_a_12345678', 'pv_a_12345678_r')).toBe(false);
    expect(isCredentialName('pv_a_12345678', 'pv_a_12345678_rx')).toBe(false);
    expect(isCredentialName('pv_a_12345678', 'pv_a_123456789')).toBe(false);
    expect(isCredentialName('pv_a_12345678', 'pv_a_12345678_r1_deadbeef')).toBe(false);
  });
});

describe('requireSecret', () => {
  const instance = { id: '1', team: 't', name: 'n', externalName: 'pv_n_12345678', product: 'p', plan: 'small', values: {} };

  it('returns the secret, or a permanent error naming it', () => {
    expect(requireSecret('redis', { instance, secrets: { password: 'pw' } }, 'password')).toBe('pw');
    let error: unknown;
    try {
      requireSecret('redis', { instance, secrets: {} }, 'password');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DriverError);
    expect((error as DriverError).message).toBe('redis: no "password" secret was given for "pv_n_12345678"');
    expect((error as DriverError).retryable).toBe(false);
    expect((error as DriverError).issues).toEqual([{ path: 'secrets.password', message: 'is required' }]);
  });
});
