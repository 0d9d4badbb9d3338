import { describe, expect, it } from 'vitest';
import { computeSignature, signatureHeader, verifySignature } from './signature.js';

const secret = 'a'.repeat(64);
const body = '{"verb":"create","secrets":{"password":"x"}}';
const now = Date.UTC(2030, 0, 1);

describe('Paved-Signature', () => {
  it('accepts a valid signature and matches the documented recipe', () => {
    const header = signatureHeader(secret, body, now);
    const t = Math.floor(now / 1000);
    expect(header).toBe(`t=${t},v1=${computeSignature(secret, t, body)}`);
    // The README's recipe, done by hand: HMAC-SHA256 over "<t>.<body>".
    expect(computeSignature(secret, t, body)).toMatch(/^[0-9a-f]{64}$/);
    expect(verifySignature(header, body, secret, { nowMs: now })).toEqual({ ok: true, timestamp: t });
  });

  it('refuses a tampered body, a wrong secret, a stale or future timestamp and a malformed header', () => {
    const header = signatureHeader(secret, body, now);
    expect(verifySignature(header, body.replace('create', 'delete'), secret, { nowMs: now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(header, body, 'b'.repeat(64), { nowMs: now })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(header, body, secret, { nowMs: now + 301_000 })).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignature(header, body, secret, { nowMs: now - 301_000 })).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignature(header, body, secret, { nowMs: now + 299_000 }).ok).toBe(true);
    // A replay with a fresh t but the old MAC fails: t is inside the MAC.
    const replay = header.replace(/t=\d+/, `t=${Math.floor(now / 1000) + 600}`);
    expect(verifySignature(replay, body, secret, { nowMs: now + 600_000 })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(undefined, body, secret)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySignature('v1=abc', body, secret)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature(`t=${Math.floor(now / 1000)}`, body, secret, { nowMs: now })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts any of several v1 entries (rolling the secret)', () => {
    const t = Math.floor(now / 1000);
    const header = `t=${t},v1=${computeSignature('old'.repeat(20), t, body)},v1=${computeSignature(secret, t, body)}`;
    expect(verifySignature(header, body, secret, { nowMs: now }).ok).toBe(true);
  });
});
