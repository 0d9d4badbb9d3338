import type { CallbackRequest, CallbackVerdict, CallbackVerifier } from '@paved/driver-api';
import { SIGNATURE_HEADER, verifySignature } from './signature.js';

const REASONS = {
  missing: 'missing',
  malformed: 'malformed',
  stale: 'older than 5 minutes (or from the future)',
  mismatch: 'not signed with the secret of the instance\'s target',
} as const;

/**
 * Callbacks from the automation carry the same `Paved-Signature` as Paved's own requests, keyed
 * with the target's secret, over the raw body (README.md "Callbacks"). The secret is the
 * target's, shared by all its instances, so the signature alone would let a callback captured
 * for one instance be replayed, within the 5 minutes, to another instance's URL. The body must
 * therefore name the instance (`instanceId`), and that name must be the URL's: the signature
 * covers the body, so the name cannot be changed without the secret.
 */
export const webhookCallbacks: CallbackVerifier = {
  verify({ target, instanceId, headers, rawBody }: CallbackRequest): CallbackVerdict {
    const secret = target.config.secret;
    if (typeof secret !== 'string' || secret === '') return { ok: false, reason: 'the instance\'s target has no secret to verify a callback with' };
    const header = headers[SIGNATURE_HEADER];
    const check = verifySignature(typeof header === 'string' ? header : undefined, rawBody, secret);
    if (!check.ok) return { ok: false, reason: `the Paved-Signature header is ${REASONS[check.reason]}; sign "<t>.<raw body>" with the target's secret` };
    const named = namedInstance(rawBody);
    if (named === undefined) return { ok: false, reason: 'the body does not name the instance: add "instanceId", the id in the callback URL, to the signed body' };
    if (named !== instanceId) return { ok: false, reason: 'the body\'s "instanceId" is not the instance of the callback URL: a callback is valid for the instance it names only' };
    return { ok: true };
  },
};

/** The body's `instanceId`, when the body is a JSON object holding one as a string. */
function namedInstance(rawBody: string): string | undefined {
  try {
    const body: unknown = JSON.parse(rawBody);
    const id = body !== null && typeof body === 'object' ? (body as { instanceId?: unknown }).instanceId : undefined;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
