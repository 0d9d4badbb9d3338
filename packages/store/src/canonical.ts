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

/** Hex SHA-256 of `text`; one-shot (no Hash object a call): twice a pass of the engine (statusHash). */
export function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}

/** What recordStatus compares to skip writes that change nothing the user can see. */
export function statusHash(status: unknown, outputs: unknown, observedGeneration: number): string {
  if (status === undefined || outputs === undefined || observedGeneration === undefined) return sha256(canonicalJson({ status, outputs, observedGeneration }));
  // The same text as canonicalJson({ status, outputs, observedGeneration }) (its keys in that
  // sorted order), without the wrapping object and its copy: twice a pass of the engine.
  return sha256(`{"observedGeneration":${JSON.stringify(observedGeneration)},"outputs":${canonicalJson(outputs)},"status":${canonicalJson(status)}}`);
}
