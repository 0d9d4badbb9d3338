import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Paved's webhook signature, the scheme Stripe uses: header
 * `Paved-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, keyed with the
 * target's shared secret. The timestamp is inside the MAC so an old request cannot be replayed
 * with a fresh `t`; receivers refuse anything older (or newer) than `toleranceSeconds`.
 * Several `v1=` entries may be present (a receiver accepts any), which lets a secret be rolled.
 */

export const SIGNATURE_HEADER = 'paved-signature';
export const DELIVERY_HEADER = 'paved-delivery';
/** Five minutes either way, as Stripe: enough for clock skew, short enough to bound replays. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function computeSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The header value for `body` signed at `nowMs`. */
export function signatureHeader(secret: string, body: string, nowMs: number = Date.now()): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${computeSignature(secret, t, body)}`;
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

/**
 * Checks `header` against the raw `body` (the exact bytes received, before any JSON parsing:
 * re-serialising would change them). Constant-time comparison; never throws.
 */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  options: { nowMs?: number; toleranceSeconds?: number } = {},
): SignatureCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value !== undefined && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (timestamp === undefined || candidates.length === 0) return { ok: false, reason: 'malformed' };
  const now = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(computeSignature(secret, timestamp, body), 'hex');
  const matches = candidates.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'hex'), expected));
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}
