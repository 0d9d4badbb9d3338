import { InputError } from '@paved/model';

/**
 * Utility statements (CREATE ROLE, GRANT, CREATE DATABASE…) take no bind parameters, so names
 * and the password verifier are spliced into SQL text. These two helpers are the only way they
 * get there.
 */

/** A double-quoted SQL identifier: `a"b` → `"a""b"`. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes('\0')) {
    throw new InputError('an SQL identifier must be non-empty and hold no NUL character', { issues: [{ path: 'name', message: 'is not a valid identifier' }] });
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A single-quoted SQL literal. Quotes are doubled; a value with a backslash uses the E'' form
 * with backslashes doubled, so it reads the same whatever standard_conforming_strings says.
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) {
    throw new InputError('an SQL literal cannot hold a NUL character', { issues: [{ path: 'value', message: 'holds a NUL character' }] });
  }
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}
