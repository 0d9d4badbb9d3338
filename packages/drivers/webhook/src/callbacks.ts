import type { CallbackVerifier } from '@paved/driver-api';
import { SIGNATURE_HEADER, verifySignature } from './signature.js';

const REASONS = {
  missing: 'missing',
  malformed: 'malformed',
  stale: 'older than 5 minutes (or from the future)',
  mismatch: 'not signed with the secret of the instance\'s target',
} as const;

/**
 * Callbacks from the automation carry the same `Paved-Signature` as Paved's own requests, keyed
 * with the target's secret, over the raw body (README.md "Callbacks").
 */
export const webhookCallbacks: CallbackVerifier = {
  verify({ target, headers, rawBody }) {
    const secret = target.config.secret;
    if (typeof secret !== 'string' || secret === '') return { ok: false, reason: 'the instance\'s target has no secret to verify a callback with' };
    const header = headers[SIGNATURE_HEADER];
    const check = verifySignature(typeof header === 'string' ? header : undefined, rawBody, secret);
    if (check.ok) return { ok: true };
    return { ok: false, reason: `the Paved-Signature header is ${REASONS[check.reason]}; sign "<t>.<raw body>" with the target's secret` };
  },
};
