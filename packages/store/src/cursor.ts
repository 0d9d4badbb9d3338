import { InputError } from '@paved/model';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/**
 * Cursors are opaque to clients: base64url of the JSON of the last item's sort key. They are
 * checked on the way in, so a tampered cursor is an InputError naming `cursor`, not a SQL error.
 */
export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor whose key has the given element types, e.g. ['string', 'string']. */
export function decodeCursor<K extends ('string' | 'number')[]>(cursor: string, shape: K): (string | number)[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  // Keys are sequence numbers and plain text: anything else (1e308, a NUL that PostgreSQL text
  // cannot hold) was not made by encodeCursor and would reach the database as an error.
  const valid = Array.isArray(key) && key.length === shape.length && key.every((v, i) => typeof v === shape[i]
    && (typeof v === 'number' ? Number.isSafeInteger(v) && v >= 0 : !String(v).includes('\u0000')));
  if (!valid) {
    throw new InputError('cursor is not one that this listing returned', {
      code: 'cursor_invalid',
      issues: [{ path: 'cursor', message: 'is not a cursor returned by this listing' }],
    });
  }
  return key as (string | number)[];
}

/** The page size asked for, defaulted and capped; InputError naming `limit` when not a positive integer. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InputError('limit must be a positive integer', { code: 'limit_invalid', issues: [{ path: 'limit', message: 'must be a positive integer' }] });
  }
  return Math.min(limit, MAX_LIMIT);
}
