import { hash } from 'node:crypto';

/** JSON with object keys sorted, so equal values always give equal text (and equal hashes). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** Hex SHA-256 of `text`; one-shot (no Hash object a call): twice a pass of the engine (statusHashOf). */
export function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * Marks a status hash made from the texts a write stores (statusHashOf); a hash without it (64
 * hex digits) was made before, from canonical JSON (canonicalStatusHash), and is compared as such.
 */
const STORED_TEXTS = 't';

/**
 * What recordStatus compares to skip writes that change nothing the user can see: a SHA-256 of
 * the status's JSON as the row gets it, the outputs' canonical JSON and the observed generation.
 * Equal texts are equal values, so a write it calls unchanged changes nothing. Outputs come from
 * drivers, in whatever order a driver lists them: canonical (a few keys, cheap), so the same
 * outputs in another order are unchanged. The status is the engine's, built with its keys in one
 * order (conditions.ts nextStatus), so a pass that changes nothing makes the same text and is
 * skipped: it is hashed as stored, where its canonical copy and second stringify were ~3 % of a
 * PostgreSQL worker's CPU (bench/README §3 round 20).
 */
export function statusHashOf(statusJson: string, outputsCanonicalJson: string, observedGeneration: number): string {
  // JSON.stringify writes no raw newline: the three parts cannot run into each other.
  return STORED_TEXTS + sha256(`${observedGeneration}\n${outputsCanonicalJson}\n${statusJson}`);
}

/** statusHashOf `status` as stored and `outputs`. */
export function statusHash(status: unknown, outputs: unknown, observedGeneration: number): string {
  return statusHashOf(JSON.stringify(status), canonicalJson(outputs), observedGeneration);
}

/** The hash rows got before statusHashOf (their status_hash until their next write). */
export function canonicalStatusHash(status: unknown, outputs: unknown, observedGeneration: number): string {
  return sha256(`{"observedGeneration":${JSON.stringify(observedGeneration)},"outputs":${canonicalJson(outputs)},"status":${canonicalJson(status)}}`);
}

/**
 * Whether a row's `stored` status hash is `hash`'s, or, made before statusHashOf, that of the
 * same status, outputs and generation (`values`, asked only then): an upgraded server's first
 * pass over an unchanged instance is still skipped.
 */
export function sameStatusHash(stored: string, hash: string, values: () => [status: unknown, outputs: unknown, observedGeneration: number]): boolean {
  if (stored === hash) return true;
  return !stored.startsWith(STORED_TEXTS) && stored === canonicalStatusHash(...values());
}
